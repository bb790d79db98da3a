using Akka.Actor;
using Broker.Processing.Internal;

namespace Broker.Tests.Processing;

/// <summary>
/// The keyed consumer's lock-free queue, which reuses the node each dequeue leaves behind: under producers on
/// several threads and one consumer (as Akka runs a mailbox), nothing is lost or duplicated and each sender's
/// messages come out in the order it sent them.
/// </summary>
public sealed class KeyedConsumerMessageQueueSpec
{
    [Fact]
    public void Concurrent_producers_lose_nothing_and_each_keeps_its_order_while_nodes_are_reused()
    {
        const int producers = 4, perProducer = 50_000;
        var queue = new KeyedConsumerMessageQueue(capacity: producers * perProducer);
        var next = new int[producers];
        var received = 0;
        var start = new Barrier(producers + 1);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perProducer; i++) queue.Enqueue(ActorRefs.Nobody, new Envelope((p, i), ActorRefs.NoSender));
        })).ToList();
        threads.ForEach(t => t.Start());
        start.SignalAndWait();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (received < producers * perProducer && DateTime.UtcNow < deadline)
        {
            if (!queue.TryDequeue(out var envelope)) continue;
            var (producer, sequence) = ((int, int))envelope.Message;
            Assert.Equal(next[producer], sequence);
            next[producer]++;
            received++;
        }
        threads.ForEach(t => t.Join());

        Assert.Equal(producers * perProducer, received);
        Assert.All(next, n => Assert.Equal(perProducer, n));
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_message_enqueued_after_the_queue_ran_empty_comes_out_once()
    {
        var queue = new KeyedConsumerMessageQueue(capacity: 4);
        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, new Envelope(i, ActorRefs.NoSender));
            Assert.True(queue.TryDequeue(out var envelope));
            Assert.Equal(i, envelope.Message);
            Assert.False(queue.TryDequeue(out _));
            Assert.False(queue.HasMessages);
        }
    }
}
