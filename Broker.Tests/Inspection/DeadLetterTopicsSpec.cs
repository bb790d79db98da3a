using System.Text;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary><c>dlq replay</c>: dead letters go back to the topic they came from and are handled there.</summary>
[Collection(KafkaCollection.Name)]
public sealed class DeadLetterTopicsSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A node whose handler fails every record whose value starts with "bad" until <see cref="Downstream.Up"/>.</summary>
    private async Task<(TestNode Node, RecordLog Log, Downstream Downstream, string Topic)> StartWithDeadLettersAsync(int deadLetters)
    {
        var topic = kafka.CreateTopic(2);
        var log = new RecordLog();
        var downstream = new Downstream();
        var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output,
            new TestBehavior
            {
                Before = (context, _) => !downstream.Up && context.Message!.StartsWith("bad", StringComparison.Ordinal)
                    ? throw new HttpRequestException("downstream is down")
                    : Task.CompletedTask,
            },
            c =>
            {
                c.Options.MaxAttempts = 1;
                c.Options.Breaker.Enabled = false;
            });
        kafka.Produce(topic, Enumerable.Range(0, deadLetters).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"k{i}"),
            Value = Encoding.UTF8.GetBytes($"bad-{i}"),
            Headers = new Headers { { "tenant", Encoding.UTF8.GetBytes("acme") } },
        }).Append(new Message<byte[]?, byte[]?> { Key = "good"u8.ToArray(), Value = "good"u8.ToArray() }));
        await log.WaitForCountAsync(1, Timeout);
        await Eventually.Until(() => node.Consumer.DeadLettered == deadLetters, Timeout, () => $"{deadLetters} dead-lettered, now {node.Consumer.DeadLettered}");
        downstream.Up = true;
        return (node, log, downstream, topic);
    }

    [Fact]
    public async Task Replay_re_produces_every_dead_letter_to_its_original_topic_with_its_headers_where_it_is_handled()
    {
        var (node, log, _, topic) = await StartWithDeadLettersAsync(6);
        await using var _ = node;

        var result = await Inspect.Query(node, "dlq", "replay", topic + ".dlt");

        Assert.Equal(topic + ".dlt", result.Text("topic"));
        Assert.Equal(6, result.Number("replayed"));
        Assert.Equal(0, result.Number("skipped"));
        var to = Assert.Single(result.Rows("to"));
        Assert.Equal((topic, 6L), (to.Text("topic"), to.Number("records")!.Value));
        var partition = Assert.Single(result.Rows("partitions"));
        Assert.Equal((0L, 0L, 6L, 6L), (partition.Number("partition")!.Value, partition.Number("from")!.Value,
            partition.Number("next")!.Value, partition.Number("end")!.Value));

        await log.WaitUntilAsync(r => r.Count(h => h.Value!.StartsWith("bad", StringComparison.Ordinal)) == 6, Timeout, "the 6 replayed records handled");
        var replayed = log.Records.Where(h => h.Value!.StartsWith("bad", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"bad-{i}").Order(), replayed.Select(h => h.Value!).Order());
        Assert.All(replayed, h =>
        {
            Assert.Equal(topic, h.Topic);
            Assert.Equal("k" + h.Value!["bad-".Length..], Encoding.UTF8.GetString(h.Key!));
            Assert.Equal("acme", Encoding.UTF8.GetString(h.Headers.Single(x => x.Key == "tenant").Value!));
            Assert.DoesNotContain(h.Headers, x => x.Key.StartsWith("broker.dlt.", StringComparison.Ordinal));
        });
        Assert.Equal(6, node.Consumer.DeadLettered); // handled this time, not dead-lettered again
    }

    [Fact]
    public async Task Replay_from_an_offset_with_a_count_re_produces_exactly_that_range_and_skips_records_without_an_original_topic()
    {
        var (node, log, _, topic) = await StartWithDeadLettersAsync(6);
        await using var _ = node;
        var letters = kafka.ReadAll(topic + ".dlt", 6, Timeout);
        // A record someone wrote to the dead-letter topic by hand, without Broker's headers, at offset 6.
        kafka.Produce(topic + ".dlt", [new Message<byte[]?, byte[]?> { Key = "stray"u8.ToArray(), Value = "bad-stray"u8.ToArray() }]);

        var result = await Inspect.Query(node, "dlq", "replay", topic + ".dlt", "--from", "4", "--count", "3");

        Assert.Equal(2, result.Number("replayed"));
        Assert.Equal(1, result.Number("skipped"));
        var partition = Assert.Single(result.Rows("partitions"));
        Assert.Equal((4L, 7L, 7L), (partition.Number("from")!.Value, partition.Number("next")!.Value, partition.Number("end")!.Value));
        var expected = letters.Where(l => l.Offset.Value is 4 or 5).Select(l => Encoding.UTF8.GetString(l.Message.Value!)).Order().ToArray();
        await log.WaitUntilAsync(r => r.Count(h => h.Value!.StartsWith("bad", StringComparison.Ordinal)) == 2, Timeout, "the 2 replayed records handled");
        Assert.Equal(expected, log.Records.Where(h => h.Value!.StartsWith("bad", StringComparison.Ordinal)).Select(h => h.Value!).Order());
    }

    [Fact]
    public async Task Replaying_a_topic_that_does_not_exist_fails_naming_it()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);

        var reply = await Inspect.Client(node).SendAsync(["dlq", "replay", "no-such-topic.dlt"]);

        Assert.False(reply.Ok);
        Assert.Equal("failed", reply.ErrorCode);
        Assert.Equal("topic 'no-such-topic.dlt' does not exist.", reply.Error);
    }

    private sealed class Downstream
    {
        private volatile bool _up;

        public bool Up
        {
            get => _up;
            set => _up = value;
        }
    }
}
