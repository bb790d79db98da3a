using System.Text;
using System.Text.Json;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary><c>consumers</c>, <c>breakers</c> and <c>dlq</c> against a live node: what they show follows what the node does.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ConsumersPaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static Message<byte[]?, byte[]?> Record(string key, string value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public async Task Consumers_shows_the_assigned_partitions_and_their_committed_offsets_once_records_are_handled()
    {
        var topic = kafka.CreateTopic(3);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        var ends = EmbeddedKafkaFixture.EndOffsets(kafka.Produce(topic, Enumerable.Range(0, 60).Select(i => Record($"k{i % 12}", $"v{i}"))));
        await log.WaitForCountAsync(60, Timeout);

        var answer = await Inspect.Until(node, ["consumers"],
            a => a.Rows("partitions").Length == 3 && a.Rows("partitions").All(p => p.Number("committed") == ends.GetValueOrDefault((int)p.Number("partition")!)),
            Timeout, "every partition committed up to its end");

        var consumer = Assert.Single(answer.Rows("consumers"));
        Assert.Equal(topic, consumer.Text("consumer"));
        Assert.Equal(topic, consumer.Text("topic"));
        Assert.Equal("g-" + topic, consumer.Text("group"));
        Assert.Equal(3, consumer.Number("assigned"));
        Assert.Equal(0, consumer.Number("inFlight"));
        Assert.Equal(0, consumer.Number("lag"));
        Assert.Equal(0, consumer.Number("paused"));
        Assert.Equal("Closed", consumer.Text("breaker"));
        Assert.Equal(12, consumer.Number("liveKeys"));
        var partitions = answer.Rows("partitions");
        Assert.Equal([0, 1, 2], partitions.Select(p => (int)p.Number("partition")!));
        foreach (var p in partitions)
        {
            var end = ends.GetValueOrDefault((int)p.Number("partition")!);
            Assert.Equal(topic, p.Text("consumer"));
            Assert.Equal(end, p.Number("position"));
            Assert.Equal(end, p.Number("endOffset"));
            Assert.Equal(0, p.Number("lag"));
            Assert.Equal(0, p.Number("inFlight"));
            Assert.Equal(1000, p.Number("window"));
            Assert.False(p.GetProperty("paused").GetBoolean());
            Assert.Equal("", p.Text("pausedBy"));
        }
    }

    [Fact]
    public async Task A_partition_whose_window_is_full_shows_as_paused_by_the_window_with_its_records_in_flight()
    {
        var topic = kafka.CreateTopic(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output,
            new TestBehavior { Before = (_, _) => gate.Task },
            c =>
            {
                c.Options.MaxInFlightPerPartition = 5;
                c.Options.MaxInFlightPerKey = 5;
                c.Options.HandlerTimeout = TimeSpan.FromMinutes(5);
            });
        kafka.Produce(topic, Enumerable.Range(0, 20).Select(i => Record($"k{i}", $"v{i}")));

        var full = await Inspect.Until(node, ["consumers"],
            a => a.Rows("partitions") is [var p] && p.GetProperty("paused").GetBoolean(), Timeout, "the partition paused");
        var partition = Assert.Single(full.Rows("partitions"));
        Assert.Equal("window", partition.Text("pausedBy"));
        Assert.Equal(5, partition.Number("inFlight"));
        Assert.Equal(5, partition.Number("window"));
        Assert.Equal(5, partition.Number("position")); // the next record it hands over is the sixth
        Assert.Equal(20, partition.Number("endOffset"));
        Assert.Equal(20, partition.Number("lag"));
        Assert.Equal(1, Assert.Single(full.Rows("consumers")).Number("paused"));

        gate.SetResult();
        await log.WaitForCountAsync(20, Timeout);
        var drained = await Inspect.Until(node, ["consumers"], a => a.Rows("partitions")[0].Number("committed") == 20, Timeout, "all committed");
        Assert.False(drained.Rows("partitions")[0].GetProperty("paused").GetBoolean());
        Assert.Equal(0, drained.Rows("partitions")[0].Number("lag"));
    }

    [Fact]
    public async Task Breakers_shows_an_open_breaker_with_since_when_its_failure_rate_and_when_it_half_opens()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output,
            new TestBehavior { Before = (_, _) => throw new HttpRequestException("downstream is down") },
            c =>
            {
                c.Options.MaxAttempts = 1000;
                c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                c.Options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                c.Options.Breaker.MinimumCalls = 5;
                c.Options.Breaker.WindowCalls = 10;
                c.Options.Breaker.WindowDuration = TimeSpan.FromMinutes(5);
                c.Options.Breaker.OpenDuration = TimeSpan.FromMinutes(5);
            });

        var closed = Assert.Single((await Inspect.Query(node, "breakers")).Rows("breakers"));
        Assert.Equal(("Closed", 0L, 0d), (closed.Text("state"), closed.Number("calls")!.Value, closed.GetProperty("failureRate").GetDouble()));
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("halfOpensAt").ValueKind);

        var before = DateTimeOffset.UtcNow;
        kafka.Produce(topic, Enumerable.Range(0, 10).Select(i => Record($"k{i}", $"v{i}")));
        var answer = await Inspect.Until(node, ["breakers"], a => a.Rows("breakers")[0].Text("state") == "Open", Timeout, "the breaker opened");

        var row = Assert.Single(answer.Rows("breakers"));
        Assert.Equal(topic, row.Text("consumer"));
        Assert.Equal(1.0, row.GetProperty("failureRate").GetDouble());
        Assert.Equal(0.0, row.GetProperty("slowCallRate").GetDouble());
        Assert.InRange(row.Number("calls")!.Value, 5, 10);
        Assert.Equal(1, row.Number("opened"));
        var since = row.GetProperty("since").GetDateTimeOffset();
        Assert.InRange(since, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(since + TimeSpan.FromMinutes(5), row.GetProperty("halfOpensAt").GetDateTimeOffset());

        // The open breaker pauses the consumer's partitions, and 'consumers' says so.
        var consumers = await Inspect.Until(node, ["consumers"], a => a.Rows("partitions") is [var p] && p.GetProperty("paused").GetBoolean(),
            Timeout, "the partition paused by the breaker");
        Assert.Contains("breaker", consumers.Rows("partitions")[0].Text("pausedBy"));
        Assert.Equal("Open", consumers.Rows("consumers")[0].Text("breaker"));
    }

    [Fact]
    public async Task Dlq_counts_the_dead_letters_this_node_wrote_and_those_stored_in_the_dead_letter_topic()
    {
        var topic = kafka.CreateTopic(2);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        var poison = new Message<byte[]?, byte[]?> { Key = "bad"u8.ToArray(), Value = [0xFF, 0xFE] }; // not UTF-8
        kafka.Produce(topic, Enumerable.Range(0, 7).Select(_ => poison).Concat(Enumerable.Range(0, 3).Select(i => Record($"k{i}", "ok"))));
        await log.WaitForCountAsync(3, Timeout);

        // The count goes up once Kafka acknowledged the dead letter, so just after it is stored.
        var answer = await Inspect.Until(node, ["dlq"],
            a => a.Rows("deadLetters")[0] is var r && r.Number("storedInTopic") == 7 && r.Number("deadLetteredHere") == 7, Timeout,
            "7 dead letters written and stored");

        var row = Assert.Single(answer.Rows("deadLetters"));
        Assert.Equal(topic, row.Text("consumer"));
        Assert.Equal(topic, row.Text("topic"));
        Assert.Equal(topic + ".dlt", row.Text("deadLetterTopic"));
    }
}
