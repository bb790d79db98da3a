using System.Collections.Concurrent;
using Akka.Actor;

namespace Broker.Processing.Internal;

/// <summary>
/// Where the keyed consumers of one partition report finished records to their partition owner. They
/// all run on other threads at the same time; one wake-up message per burst instead of one message per
/// report keeps the owner's work per record small. Keyed consumers always live on their owner's node.
/// </summary>
internal sealed class OwnerInbox
{
    private readonly ConcurrentQueue<Completion> _completions = new();
    private int _wakePending;

    /// <summary>
    /// Keyed consumer: reports the next <paramref name="records"/> records it was handed (it finishes them in
    /// order) done; wakes the owner when it is not already due.
    /// </summary>
    public void Post(IActorRef owner, object key, int generation, int records)
    {
        _completions.Enqueue(new Completion(key, generation, records));
        if (Interlocked.Exchange(ref _wakePending, 1) == 0) owner.Tell(PartitionOwner.CompletionsAvailable.Instance, ActorRefs.NoSender);
    }

    /// <summary>Owner: takes every report so far, oldest first.</summary>
    public void TakeAll(List<Completion> into)
    {
        // Clear the flag before draining: a report posted after this point sends a new wake-up.
        Volatile.Write(ref _wakePending, 0);
        while (_completions.TryDequeue(out var completion)) into.Add(completion);
    }

    /// <summary>
    /// The keyed consumer of <paramref name="Key"/> (the owner's own token for the key, handed to it in its
    /// start message) finished its next <paramref name="Records"/> records (handled, failed or dead-lettered).
    /// </summary>
    public readonly record struct Completion(object Key, int Generation, int Records);
}
