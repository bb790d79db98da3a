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

    /// <summary>Keyed consumer: reports <paramref name="offsets"/> of <paramref name="generation"/> done; wakes the owner when it is not already due.</summary>
    public void Post(IActorRef owner, IActorRef key, int generation, long[] offsets)
    {
        _completions.Enqueue(new Completion(key, generation, offsets));
        if (Interlocked.Exchange(ref _wakePending, 1) == 0) owner.Tell(PartitionOwner.CompletionsAvailable.Instance, ActorRefs.NoSender);
    }

    /// <summary>Owner: takes every report so far, oldest first.</summary>
    public void TakeAll(List<Completion> into)
    {
        // Clear the flag before draining: a report posted after this point sends a new wake-up.
        Volatile.Write(ref _wakePending, 0);
        while (_completions.TryDequeue(out var completion)) into.Add(completion);
    }

    /// <summary>A keyed consumer finished <paramref name="Offsets"/> (handled, failed or dead-lettered).</summary>
    public readonly record struct Completion(IActorRef Key, int Generation, long[] Offsets);
}
