using System.Text;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Processing;

/// <summary>End to end on the embedded Kafka: Kafka -> partition owners -> keyed consumers -> commits.</summary>
[Collection(KafkaCollection.Name)]
public sealed class PipelineSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static Message<byte[]?, byte[]?> Record(string key, string value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };

    /// <summary>records over keys, each value "key:n" with n counting that key's records from 0.</summary>
    private static IEnumerable<Message<byte[]?, byte[]?>> Numbered(int records, int keys, int from = 0) =>
        Enumerable.Range(from, records).Select(i => Record($"key-{i % keys}", $"key-{i % keys}:{i / keys}"));

    [Fact]
    public async Task Handles_10000_records_over_1000_keys_exactly_once_in_key_order_and_commits_to_the_end()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        var deliveries = kafka.Produce(topic, Numbered(10_000, 1_000));
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output,
            behavior: new TestBehavior { Before = async (c, ct) => { if (c.Offset % 7 == 0) await Task.Yield(); } });

        await log.WaitForCountAsync(10_000, Timeout);
        var ends = EmbeddedKafkaFixture.EndOffsets(deliveries);
        await Eventually.Until(() => ends.All(e => node.Consumer.Partitions.Any(p => p.Partition == e.Key && p.CommittedOffset == e.Value)),
            Timeout, () => "committed offsets reach the end of every partition: " + Describe(node));

        var records = log.Records;
        Assert.Equal(10_000, records.Count);
        Assert.Equal(10_000, records.Select(r => (r.Partition, r.Offset)).Distinct().Count()); // each exactly once
        Assert.All(records, r => Assert.Equal(topic, r.Topic)); // set by the poll loop, not decoded per record
        foreach (var key in records.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
        {
            var sequence = key.Select(r => int.Parse(r.Value!.Split(':')[1])).ToArray();
            Assert.Equal(Enumerable.Range(0, 10), sequence); // in the key's offset order
        }
        Assert.Equal(10_000, node.Consumer.Handled);
        Assert.Equal(0, node.Consumer.Failed);
    }

    [Fact]
    public async Task A_throwing_handler_leaves_the_node_consuming()
    {
        var topic = kafka.CreateTopic(4);
        var log = new RecordLog();
        var behavior = new TestBehavior
        {
            Before = (c, _) => c.Message.EndsWith(":0") ? throw new InvalidOperationException("boom") : Task.CompletedTask,
        };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.MaxAttempts = 3;
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            c.Options.Breaker.Enabled = false; // every failure here is the record's, not a downstream outage
        });

        kafka.Produce(topic, Numbered(500, 50)); // each key's first record throws, every time
        await log.WaitForCountAsync(450, Timeout);
        await Eventually.Until(() => node.Consumer.DeadLettered == 50, Timeout, () => $"50 dead letters, got {node.Consumer.DeadLettered}");
        Assert.Equal(150, node.Consumer.Failed); // 3 attempts each
        Assert.Equal(100, node.Consumer.Retried);

        var more = kafka.Produce(topic, Numbered(100, 50, from: 500)); // the node is still consuming afterwards
        await log.WaitForCountAsync(550, Timeout);
        var ends = EmbeddedKafkaFixture.EndOffsets(more);
        await Eventually.Until(() => ends.All(e => node.Consumer.Partitions.Any(p => p.Partition == e.Key && p.CommittedOffset == e.Value)),
            Timeout, () => "dead-lettered records count as done for the commit: " + Describe(node));
    }

    [Fact]
    public async Task A_node_stopped_mid_stream_resumes_from_its_commits_without_handling_done_records_again()
    {
        var topic = kafka.CreateTopic(6);
        var group = "g-" + topic;
        var log = new RecordLog();
        var slow = new TestBehavior { Before = (_, ct) => Task.Delay(2, ct) };
        kafka.Produce(topic, Numbered(4_000, 40));

        var first = await TestNode.StartAsync(kafka, topic, group, log, output, slow, name: "first");
        await log.WaitForCountAsync(500, Timeout);
        await first.DisposeAsync(); // graceful: stop fetching, drain what was accepted, commit
        var handledByFirst = log.Count;
        Assert.InRange(handledByFirst, 500, 3_999); // really stopped mid-stream
        output.WriteLine($"first node handled {handledByFirst}");

        await using var second = await TestNode.StartAsync(kafka, topic, group, log, output, name: "second");
        await log.WaitForCountAsync(4_000, Timeout);
        var ends = new Dictionary<int, long>();
        await Eventually.Until(() => second.Consumer.Partitions.Count == 6 && second.Consumer.Partitions.All(p => p.CommittedOffset == p.HighWatermark),
            Timeout, () => "second node commits to the end: " + Describe(second));

        var records = log.Records;
        Assert.Equal(4_000, records.Count);
        Assert.Equal(4_000, records.Select(r => (r.Partition, r.Offset)).Distinct().Count()); // nothing handled twice
        Assert.Equal(handledByFirst, records.Count(r => r.Node == "first"));
    }

    [Fact]
    public async Task Partitions_added_to_the_topic_while_running_are_picked_up()
    {
        var topic = kafka.CreateTopic(2);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        await Eventually.Until(() => node.Consumer.Partitions.Count(p => p.Assigned) == 2, Timeout, () => Describe(node));

        // The mock cannot add partitions to a live topic: growing an empty topic is a delete and create.
        kafka.Kafka.RecreateTopic(topic, 4);
        for (var p = 0; p < 4; p++) kafka.Produce(topic, Numbered(10, 5), partition: p);

        await log.WaitUntilAsync(r => r.Select(x => x.Partition).Distinct().Count() == 4 && r.Count == 40, Timeout,
            "10 records handled from each of the 4 partitions");
        Assert.Equal(4, node.Consumer.Partitions.Count(p => p.Assigned));
    }

    [Fact]
    public async Task Commits_move_past_transaction_markers_so_a_finished_transactional_topic_has_no_lag()
    {
        var topic = kafka.CreateTopic(1);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
               {
                   BootstrapServers = kafka.Bootstrap,
                   TransactionalId = "tx-" + topic,
               }).Build())
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            for (var t = 0; t < 3; t++)
            {
                producer.BeginTransaction();
                for (var i = 0; i < 5; i++)
                    producer.Produce(topic, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("k"), Value = Encoding.UTF8.GetBytes($"k:{t}-{i}") });
                if (t == 1) producer.AbortTransaction(TimeSpan.FromSeconds(30));
                else producer.CommitTransaction(TimeSpan.FromSeconds(30));
            }
        }
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);

        await log.WaitForCountAsync(10, Timeout); // the aborted transaction's 5 records are never handed over
        await Eventually.Until(() => node.Consumer.Partitions.SingleOrDefault() is { HighWatermark: { } high, CommittedOffset: { } committed } && committed == high,
            Timeout, () => "committed offset reaches the end, past the markers: " + Describe(node));
        Assert.DoesNotContain(log.Records, r => r.Value!.Contains(":1-"));
        Assert.Equal(0, node.Consumer.Lag);
    }

    private static string Describe(TestNode node) => string.Join(", ", node.Consumer.Partitions.Select(p =>
        $"{p.Partition}:{p.CommittedOffset?.ToString() ?? "-"}/{p.HighWatermark?.ToString() ?? "-"}{(p.Assigned ? "" : "(revoked)")}"));
}
