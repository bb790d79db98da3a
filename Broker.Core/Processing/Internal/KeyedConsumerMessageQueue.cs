using Akka.Actor;
using Akka.Dispatch.MessageQueues;

namespace Broker.Processing.Internal;

/// <summary>
/// The bounded mailbox queue of a keyed consumer: a lock-free linked queue for many producers and the one
/// consumer Akka guarantees (the mailbox runs on one thread at a time). An empty queue is a single stub
/// node, so an idle keyed consumer (most of them, most of the time) costs a few bytes, not a queue segment.
/// The node a dequeue leaves behind is kept for the next enqueue, so a steady flow allocates no nodes.
/// </summary>
internal sealed class KeyedConsumerMessageQueue : IMessageQueue
{
    private readonly int _capacity;
    private Node _head; // producers swap themselves in here
    private Node _tail; // the consumer's side: _tail.Next is the oldest message
    private Node? _spare; // a node no producer can reach any more, for the next enqueue
    private int _count;

    public KeyedConsumerMessageQueue(int capacity)
    {
        _capacity = capacity;
        _head = _tail = new Node();
    }

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        if (!MailboxOverflow.TryReserve(ref _count, _capacity, receiver, envelope)) return;
        var node = Interlocked.Exchange(ref _spare, null) ?? new Node();
        node.Envelope = envelope;
        var previous = Interlocked.Exchange(ref _head, node);
        Volatile.Write(ref previous.Next, node);
    }

    public bool TryDequeue(out Envelope envelope)
    {
        var tail = _tail;
        var next = Volatile.Read(ref tail.Next);
        if (next is null)
        {
            // Empty, or a producer has swapped in its node but not linked it yet: try again later
            // (HasMessages stays true, so the mailbox runs again).
            envelope = default;
            return false;
        }
        envelope = next.Envelope;
        next.Envelope = default;
        _tail = next;
        Interlocked.Decrement(ref _count);
        // The old tail's only producer (the one that linked `next` to it) is done with it, and producers link
        // to _head only, which is `next` or newer: it can be reused.
        tail.Next = null;
        Volatile.Write(ref _spare, tail);
        return true;
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    private sealed class Node
    {
        public Envelope Envelope;
        public Node? Next;
    }
}
