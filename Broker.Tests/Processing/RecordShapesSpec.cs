using System.Text;
using Broker.Hosting;
using Broker.Kafka;
using Broker.Processing;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Broker.Tests.Processing;

/// <summary>Null keys, empty keys, tombstones, odd headers and undeserializable values, end to end.</summary>
[Collection(KafkaCollection.Name)]
public sealed class RecordShapesSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Null_key_records_keep_their_partitions_order()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        // Uneven handler latency: if null-key records ran in parallel they would finish out of order.
        var behavior = new TestBehavior { Before = (c, ct) => Task.Delay(int.Parse(c.Message) % 3 == 0 ? 5 : 0, ct) };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior);

        kafka.Produce(topic, Enumerable.Range(0, 200).Select(i => new Message<byte[]?, byte[]?> { Key = null, Value = Utf8(i.ToString()) }));
        await log.WaitForCountAsync(200, Timeout);

        Assert.All(log.Records, r => Assert.Null(r.Key));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i.ToString()), log.Records.Select(r => r.Value));
    }

    [Fact]
    public async Task Null_key_records_go_to_the_dead_letter_topic_when_configured()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output,
            configure: c => c.Options.NullKeys = NullKeyPolicy.DeadLetter);

        kafka.Produce(topic, [
            new Message<byte[]?, byte[]?> { Key = Utf8("a"), Value = Utf8("1") },
            new Message<byte[]?, byte[]?> { Key = null, Value = Utf8("no key") },
            new Message<byte[]?, byte[]?> { Key = Utf8("a"), Value = Utf8("2") },
        ]);
        await log.WaitForCountAsync(2, Timeout);
        var dead = kafka.ReadAll(topic + ".dlt", 1, Timeout);

        Assert.Equal(["1", "2"], log.Records.Select(r => r.Value));
        var letter = Assert.Single(dead);
        Assert.Null(letter.Message.Key);
        Assert.Equal("no key", Encoding.UTF8.GetString(letter.Message.Value!));
        Assert.Equal("missing-key", Header(letter, DeadLetterHeaders.Reason));
        Assert.Equal("1", Header(letter, DeadLetterHeaders.OriginalOffset));
        await Eventually.Until(() => node.Consumer.DeadLettered == 1 && node.Consumer.Partitions.Single().CommittedOffset == 3,
            Timeout, () => "the dead-lettered record counts as done for the commit");
    }

    [Fact]
    public async Task An_empty_key_is_a_real_key_apart_from_the_null_key()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);

        kafka.Produce(topic, [
            new Message<byte[]?, byte[]?> { Key = [], Value = Utf8("empty") },
            new Message<byte[]?, byte[]?> { Key = null, Value = Utf8("null") },
        ]);
        await log.WaitForCountAsync(2, Timeout);

        var empty = log.Records.Single(r => r.Value == "empty");
        var none = log.Records.Single(r => r.Value == "null");
        Assert.NotNull(empty.Key);
        Assert.Empty(empty.Key!);
        Assert.Null(none.Key);
    }

    [Fact]
    public async Task A_tombstone_reaches_the_handler_as_a_tombstone()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);

        kafka.Produce(topic, [
            new Message<byte[]?, byte[]?> { Key = Utf8("k"), Value = Utf8("v") },
            new Message<byte[]?, byte[]?> { Key = Utf8("k"), Value = null },
        ]);
        await log.WaitForCountAsync(2, Timeout);

        Assert.False(log.Records[0].IsTombstone);
        Assert.True(log.Records[1].IsTombstone);
        Assert.Null(log.Records[1].Value);
        Assert.Equal(0, node.Consumer.Failed);
        Assert.Equal(0, node.Consumer.DeadLettered);
    }

    [Fact]
    public async Task Headers_with_null_values_and_bytes_that_are_not_utf8_arrive_intact()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);

        var headers = new Headers { { "null-value", null }, { "binary", [0xff, 0xfe, 0x00, 0x80] }, { "dup", Utf8("1") }, { "dup", Utf8("2") } };
        kafka.Produce(topic, [new Message<byte[]?, byte[]?> { Key = Utf8("k"), Value = Utf8("v"), Headers = headers }]);
        await log.WaitForCountAsync(1, Timeout);

        var seen = log.Records.Single().Headers;
        Assert.Equal(["null-value", "binary", "dup", "dup"], seen.Select(h => h.Key));
        Assert.Null(seen[0].Value);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, 0x80 }, seen[1].Value);
        Assert.Equal("2", Encoding.UTF8.GetString(seen[3].Value!));
    }

    [Fact]
    public async Task An_undeserializable_value_is_dead_lettered_with_its_reason_and_the_rest_is_handled()
    {
        var topic = kafka.CreateTopic(2);
        var received = new List<int>();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder.Configuration,
            TestNode.DefaultConfig(kafka.Bootstrap, "g-" + topic));
        builder.Logging.AddProvider(new XunitLoggerProvider(output, "node-1"));
        builder.Services.AddSingleton(received);
        builder.Services.AddBroker(b => b.AddConsumer<Reading, ReadingHandler>(topic));
        using var host = builder.Build();
        await host.StartAsync();

        var poison = new Message<byte[]?, byte[]?>
        {
            Key = Utf8("sensor"), Value = [0x7b, 0xff, 0x00], // '{' then bytes that are not JSON
            Headers = new Headers { { "binary", [0xc3, 0x28] } },
        };
        kafka.Produce(topic, [
            new Message<byte[]?, byte[]?> { Key = Utf8("sensor"), Value = Utf8("""{"value":1}""") },
            poison,
            new Message<byte[]?, byte[]?> { Key = Utf8("sensor"), Value = Utf8("""{"value":2}""") },
        ]);
        var dead = kafka.ReadAll(topic + ".dlt", 1, Timeout);
        await Eventually.Until(() => { lock (received) return received.Count == 2; }, Timeout, () => "both good readings handled");
        await host.StopAsync();

        lock (received) Assert.Equal([1, 2], received);
        var letter = Assert.Single(dead);
        Assert.Equal(poison.Value, letter.Message.Value); // original bytes
        Assert.Equal("sensor", Encoding.UTF8.GetString(letter.Message.Key!));
        Assert.Equal(new byte[] { 0xc3, 0x28 }, letter.Message.Headers.GetLastBytes("binary")); // original headers, byte for byte
        Assert.Equal("deserialization", Header(letter, DeadLetterHeaders.Reason));
        Assert.Equal("System.Text.Json.JsonException", Header(letter, DeadLetterHeaders.ExceptionType));
        Assert.Equal(topic, Header(letter, DeadLetterHeaders.OriginalTopic));
        Assert.Equal("0", Header(letter, DeadLetterHeaders.Attempts));
        Assert.Equal("g-" + topic, Header(letter, DeadLetterHeaders.ConsumerGroup));
    }

    private static string Header(ConsumeResult<byte[]?, byte[]?> record, string key) =>
        Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(key));

    public sealed record Reading(int Value);

    public sealed class ReadingHandler(List<int> received) : IMessageHandler<Reading>
    {
        public Task HandleAsync(ConsumeContext<Reading> context, CancellationToken cancellationToken)
        {
            lock (received) received.Add(context.Message.Value);
            return Task.CompletedTask;
        }
    }
}
