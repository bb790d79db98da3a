using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch.MessageQueues;

namespace Broker.Processing.Internal;

/// <summary>
/// The bounded mailbox queue of a partition owner: lock-free, because every keyed consumer of the
/// partition acknowledges to it from its own thread.
/// </summary>
internal sealed class OwnerMessageQueue(int capacity) : IMessageQueue
{
    private readonly ConcurrentQueue<Envelope> _queue = new();
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (!MailboxOverflow.TryReserve(ref _count, capacity, receiver, envelope)) return;
        _queue.Enqueue(envelope);
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out envelope)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }
}
