using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Broker.Kafka;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Processing;

/// <summary>Retries in key order, dead letters with their reasons, poison input and deadlines, end to end.</summary>
[Collection(KafkaCollection.Name)]
public sealed class FailuresSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static Message<byte[]?, byte[]?> Record(string key, string value, Headers? headers = null) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value), Headers = headers };

    private static string Header(ConsumeResult<byte[]?, byte[]?> r, string key) => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(key));

    [Fact]
    public async Task A_failing_record_is_retried_with_backoff_before_its_keys_later_records_and_other_keys_go_on()
    {
        var topic = kafka.CreateTopic(1);
        var calls = new ConcurrentQueue<(string Value, DateTime At)>();
        var failuresLeft = 2;
        var behavior = new TestBehavior
        {
            Before = (c, _) =>
            {
                calls.Enqueue((c.Message, DateTime.UtcNow));
                return c.Message == "a-1" && Interlocked.Decrement(ref failuresLeft) >= 0
                    ? throw new InvalidOperationException("downstream hiccup")
                    : Task.CompletedTask;
            },
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
            c.Options.Breaker.Enabled = false;
        });
        kafka.Produce(topic, [Record("a", "a-1"), Record("a", "a-2"), Record("b", "b-1"), Record("a", "a-3"), Record("b", "b-2")]);

        await log.WaitForCountAsync(5, Timeout);

        var sequence = calls.ToArray();
        var a1 = sequence.Where(c => c.Value == "a-1").ToArray();
        Assert.Equal(3, a1.Length); // two failures, then success
        // Polly's exponential backoff with jitter: around the 200 ms base, never an immediate retry.
        Assert.True(a1[1].At - a1[0].At >= TimeSpan.FromMilliseconds(10), $"backoff before the first retry, got {(a1[1].At - a1[0].At).TotalMilliseconds} ms");
        var a2 = Array.FindIndex(sequence, c => c.Value == "a-2");
        Assert.True(a2 > Array.FindLastIndex(sequence, c => c.Value == "a-1"), "a-2 ran only after a-1's final attempt");
        Assert.True(Array.FindIndex(sequence, c => c.Value == "b-2") < Array.FindLastIndex(sequence, c => c.Value == "a-1"),
            "key b did not wait for key a's retries");
        Assert.Equal(["a-1", "a-2", "a-3"], log.Records.Where(r => r.Value!.StartsWith('a')).Select(r => r.Value));
        Assert.Equal(2, node.Consumer.Retried);
        Assert.Equal(0, node.Consumer.DeadLettered);
    }

    [Fact]
    public async Task After_its_last_attempt_a_record_goes_to_the_dead_letter_topic_with_its_bytes_headers_and_reason()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        var behavior = new TestBehavior { Before = (c, _) => c.Message == "bad" ? throw new ArgumentException("cannot charge") : Task.CompletedTask };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.MaxAttempts = 3;
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            c.Options.Breaker.Enabled = false;
        });
        var headers = new Headers { { "binary", [0xff, 0x00, 0xfe] }, { "null", null } };
        var deliveries = kafka.Produce(topic, [Record("k", "ok-1"), Record("k", "bad", headers), Record("k", "ok-2")]);

        var letters = kafka.ReadAll(topic + ".dlt", 1, Timeout);
        await log.WaitForCountAsync(2, Timeout);

        var letter = Assert.Single(letters);
        Assert.Equal("bad", Encoding.UTF8.GetString(letter.Message.Value!));
        Assert.Equal("k", Encoding.UTF8.GetString(letter.Message.Key!));
        Assert.Equal(new byte[] { 0xff, 0x00, 0xfe }, letter.Message.Headers.GetLastBytes("binary"));
        Assert.True(letter.Message.Headers.TryGetLastBytes("null", out var nullValue) && nullValue is null);
        Assert.Equal("handler", Header(letter, DeadLetterHeaders.Reason));
        Assert.Equal("System.ArgumentException", Header(letter, DeadLetterHeaders.ExceptionType));
        Assert.Equal("cannot charge", Header(letter, DeadLetterHeaders.ExceptionMessage));
        Assert.Equal("3", Header(letter, DeadLetterHeaders.Attempts));
        Assert.Equal(topic, Header(letter, DeadLetterHeaders.OriginalTopic));
        Assert.Equal("0", Header(letter, DeadLetterHeaders.OriginalPartition));
        Assert.Equal(deliveries[1].Offset.Value.ToString(CultureInfo.InvariantCulture), Header(letter, DeadLetterHeaders.OriginalOffset));
        var original = kafka.ReadAll(topic, 3, Timeout).Single(r => r.Offset == deliveries[1].Offset);
        Assert.Equal(original.Message.Timestamp.UtcDateTime, DateTime.Parse(Header(letter, DeadLetterHeaders.OriginalTimestamp), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        Assert.Equal("g-" + topic, Header(letter, DeadLetterHeaders.ConsumerGroup));
        Assert.True(DateTime.UtcNow - DateTime.Parse(Header(letter, DeadLetterHeaders.Time), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) < TimeSpan.FromMinutes(1));
        Assert.Equal(["ok-1", "ok-2"], log.Records.Select(r => r.Value));
        await Eventually.Until(() => node.Consumer.Partitions.Single().CommittedOffset == 3, Timeout, () => "the dead letter counts as done");
    }

    [Fact]
    public async Task Ten_percent_poison_goes_to_the_dead_letter_topic_at_once_and_every_other_record_is_handled_in_order()
    {
        var topic = kafka.CreateTopic(3);
        var received = new ConcurrentQueue<(string Key, int N)>();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder.Configuration, TestNode.DefaultConfig(kafka.Bootstrap, "g-" + topic));
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(builder.Services, received);
        Broker.Hosting.BrokerServiceCollectionExtensions.AddBroker(builder.Services, b => b.AddConsumer<Reading, ReadingHandler>(topic));
        using var host = builder.Build();
        await host.StartAsync();

        var messages = Enumerable.Range(0, 1_000).Select(i => i % 10 == 7
            ? Record($"k{i % 20}", "{ this is not json")
            : Record($"k{i % 20}", $$"""{"key":"k{{i % 20}}","n":{{i}}}""")).ToArray();
        var deliveries = kafka.Produce(topic, messages);
        var poisonOffsets = deliveries.Where(d => Encoding.UTF8.GetString(d.Message.Value!).StartsWith("{ this"))
            .Select(d => (d.Partition.Value, d.Offset.Value)).ToHashSet();

        var letters = kafka.ReadAll(topic + ".dlt", 100, Timeout);
        await Eventually.Until(() => received.Count == 900, Timeout, () => $"900 readings handled, got {received.Count}");
        await host.StopAsync();

        Assert.Equal(100, letters.Count);
        Assert.All(letters, l => Assert.Equal("deserialization", Header(l, DeadLetterHeaders.Reason)));
        Assert.All(letters, l => Assert.Equal("0", Header(l, DeadLetterHeaders.Attempts)));
        Assert.Equal(poisonOffsets, letters.Select(l => (int.Parse(Header(l, DeadLetterHeaders.OriginalPartition)), long.Parse(Header(l, DeadLetterHeaders.OriginalOffset)))).ToHashSet());
        foreach (var key in received.GroupBy(r => r.Key))
            Assert.Equal(key.Select(r => r.N).Order(), key.Select(r => r.N)); // each key in order
    }

    [Fact]
    public async Task A_deadline_cancels_a_hanging_handler_and_the_record_goes_to_the_dead_letter_topic_as_timed_out()
    {
        var topic = kafka.CreateTopic(1);
        var cancelled = 0;
        var behavior = new TestBehavior
        {
            Before = async (c, ct) =>
            {
                if (c.Message != "hang") return;
                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }
            },
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.HandlerTimeout = TimeSpan.FromMilliseconds(300);
            c.Options.MaxAttempts = 2;
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            c.Options.Breaker.Enabled = false;
        });
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        kafka.Produce(topic, [
            Record("k", "hang"),
            Record("k", "expired", new Headers { { "broker.deadline", Encoding.UTF8.GetBytes(past) } }),
            Record("k", "fine"),
        ]);

        var letters = kafka.ReadAll(topic + ".dlt", 2, Timeout);
        await log.WaitForCountAsync(1, Timeout);

        Assert.Equal(2, cancelled); // the handler's token fired at each attempt's deadline
        Assert.Equal(2, node.Consumer.TimedOut);
        Assert.Equal(["hang", "expired"], letters.Select(l => Encoding.UTF8.GetString(l.Message.Value!)));
        Assert.All(letters, l => Assert.Equal("timeout", Header(l, DeadLetterHeaders.Reason)));
        Assert.Equal(["2", "0"], letters.Select(l => Header(l, DeadLetterHeaders.Attempts))); // the expired one was never called
        Assert.Equal("fine", log.Records.Single().Value);
    }

    [Fact]
    public async Task Records_produced_on_behalf_of_a_handled_record_carry_its_deadline()
    {
        var topic = kafka.CreateTopic(1);
        var outTopic = kafka.CreateTopic(1, "out");
        IBrokerProducer? producer = null;
        var deadlines = new ConcurrentQueue<DateTimeOffset>();
        var behavior = new TestBehavior
        {
            Before = async (c, ct) =>
            {
                deadlines.Enqueue(c.Deadline);
                await producer!.ProduceJsonAsync(outTopic, c.KeyString, new { echo = c.Message }, causedBy: c, ct);
            },
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior,
            c => c.Options.HandlerTimeout = TimeSpan.FromSeconds(20));
        producer = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IBrokerProducer>(node.Host.Services);

        kafka.Produce(topic, [Record("k", "hello")]);
        var produced = kafka.ReadAll(outTopic, 1, Timeout);

        var deadline = Assert.Single(deadlines);
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        var written = long.Parse(Header(Assert.Single(produced), "broker.deadline"), CultureInfo.InvariantCulture);
        Assert.Equal(deadline.ToUnixTimeMilliseconds(), written);
        Assert.Equal("k", Encoding.UTF8.GetString(produced[0].Message.Key!));
    }

    [Fact]
    public async Task A_malformed_traceparent_header_is_not_poison()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        kafka.Produce(topic, [Record("k", "v", new Headers { { "traceparent", Encoding.UTF8.GetBytes("00-not-a-trace") } })]);
        await log.WaitForCountAsync(1, Timeout);
        Assert.Equal(0, node.Consumer.DeadLettered);
    }

    public sealed record Reading(string Key, int N);

    public sealed class ReadingHandler(ConcurrentQueue<(string Key, int N)> received) : Broker.Processing.IMessageHandler<Reading>
    {
        public Task HandleAsync(Broker.Processing.ConsumeContext<Reading> context, CancellationToken cancellationToken)
        {
            received.Enqueue((context.Message.Key, context.Message.N));
            return Task.CompletedTask;
        }
    }
}
