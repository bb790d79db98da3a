using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Broker.Kafka;
using Broker.Telemetry.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Broker.Tests.Telemetry;

/// <summary>
/// Each record's consumer span: the child of the producer's span named in its traceparent header, current while
/// the handler runs, with the messaging attributes, retries as events and the outcome; trace context carried
/// on into records produced through Broker and into dead letters.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class RecordTracingSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static Message<byte[]?, byte[]?> Record(string key, string value, string? traceParent = null) => new()
    {
        Key = Encoding.UTF8.GetBytes(key),
        Value = Encoding.UTF8.GetBytes(value),
        Headers = traceParent is null ? null : new Headers { { "traceparent", Encoding.UTF8.GetBytes(traceParent) } },
    };

    private static object? Tag(Activity span, string key) => span.GetTagItem(key);

    [Fact]
    public async Task A_record_produced_with_a_traceparent_is_handled_inside_its_process_span_the_child_of_the_producers()
    {
        using var spans = new ExportedSpans();
        var topic = kafka.CreateTopic(1);
        var producerTrace = ActivityTraceId.CreateRandom();
        var producerSpan = ActivitySpanId.CreateRandom();
        var seen = new ConcurrentQueue<(ActivityTraceId Trace, ActivitySpanId Span, ActivitySpanId ChildParent)>();
        var behavior = new TestBehavior
        {
            Before = (_, _) =>
            {
                var current = Activity.Current!;
                using var mine = new Activity("charge-card").Start(); // the user's own span
                seen.Enqueue((current.TraceId, current.SpanId, mine.ParentSpanId));
                return Task.CompletedTask;
            },
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior);
        var delivery = kafka.Produce(topic, [Record("customer-7", "order", $"00-{producerTrace}-{producerSpan}-01")]).Single();

        var span = Assert.Single(await spans.WaitForAsync($"process {topic}", 1, Timeout));

        Assert.Equal(ActivityKind.Consumer, span.Kind);
        Assert.Equal(producerTrace, span.TraceId);
        Assert.Equal(producerSpan, span.ParentSpanId);
        Assert.Equal("kafka", Tag(span, "messaging.system"));
        Assert.Equal("process", Tag(span, "messaging.operation.type"));
        Assert.Equal(topic, Tag(span, "messaging.destination.name"));
        Assert.Equal("g-" + topic, Tag(span, "messaging.consumer.group.name"));
        Assert.Equal("0", Tag(span, "messaging.destination.partition.id"));
        Assert.Equal(delivery.Offset.Value, Tag(span, "messaging.kafka.offset"));
        Assert.Equal("customer-7", Tag(span, "messaging.kafka.message.key"));
        Assert.Equal("handled", Tag(span, "broker.outcome"));
        Assert.Equal(1, Tag(span, "broker.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var (trace, current, childParent) = Assert.Single(seen);
        Assert.Equal(producerTrace, trace);
        Assert.Equal(span.SpanId, current); // the handler ran with the record's span as Activity.Current
        Assert.Equal(span.SpanId, childParent); // so the handler's own spans nest under it
    }

    [Fact]
    public async Task Retries_are_events_on_the_records_span()
    {
        using var spans = new ExportedSpans();
        var topic = kafka.CreateTopic(1);
        var failuresLeft = 2;
        var behavior = new TestBehavior
        {
            Before = (_, _) => Interlocked.Decrement(ref failuresLeft) >= 0
                ? throw new InvalidOperationException("payment service busy")
                : Task.CompletedTask,
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            c.Options.Breaker.Enabled = false;
        });
        kafka.Produce(topic, [Record("k", "v")]);

        var span = Assert.Single(await spans.WaitForAsync($"process {topic}", 1, Timeout));

        var retries = span.Events.Where(e => e.Name == "retry").ToArray();
        Assert.Equal(2, retries.Length);
        Assert.Equal([1, 2], retries.Select(e => (int)e.Tags.Single(t => t.Key == "broker.retry.attempt").Value!));
        Assert.All(retries, e =>
        {
            Assert.Equal("System.InvalidOperationException", e.Tags.Single(t => t.Key == "exception.type").Value);
            Assert.Equal("payment service busy", e.Tags.Single(t => t.Key == "exception.message").Value);
            Assert.True((double)e.Tags.Single(t => t.Key == "broker.retry.delay").Value! >= 0);
        });
        Assert.Equal("handled", Tag(span, "broker.outcome"));
        Assert.Equal(3, Tag(span, "broker.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task A_dead_lettered_records_span_is_an_error_and_its_dead_letter_keeps_the_producers_traceparent_and_names_the_span()
    {
        using var spans = new ExportedSpans();
        var topic = kafka.CreateTopic(1);
        var behavior = new TestBehavior { Before = (_, _) => throw new ArgumentException("card declined") };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.MaxAttempts = 2;
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            c.Options.Breaker.Enabled = false;
        });
        var producerTraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";
        kafka.Produce(topic, [Record("k", "v", producerTraceParent)]);

        var span = Assert.Single(await spans.WaitForAsync($"process {topic}", 1, Timeout));
        var letter = Assert.Single(kafka.ReadAll(topic + ".dlt", 1, Timeout));

        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("card declined", span.StatusDescription);
        Assert.Equal("dead_lettered", Tag(span, "broker.outcome"));
        Assert.Equal("handler", Tag(span, "broker.dead_letter.reason"));
        Assert.Equal("System.ArgumentException", Tag(span, "error.type"));
        Assert.Equal(2, Tag(span, "broker.attempts"));
        Assert.Single(span.Events, e => e.Name == "retry");
        Assert.Single(span.Events, e => e.Name == "exception");
        // The record's own traceparent is kept byte for byte; the dead-lettering span has its own header.
        Assert.Equal(Encoding.UTF8.GetBytes(producerTraceParent), letter.Message.Headers.GetLastBytes("traceparent"));
        Assert.True(ActivityContext.TryParse(Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(DeadLetterHeaders.TraceParent)),
            null, out var deadLettering));
        Assert.Equal(span.TraceId, deadLettering.TraceId);
        Assert.Equal(span.SpanId, deadLettering.SpanId);
    }

    [Fact]
    public async Task A_record_produced_through_IBrokerProducer_from_a_handler_carries_the_handlers_trace()
    {
        using var spans = new ExportedSpans();
        var topic = kafka.CreateTopic(1);
        var next = kafka.CreateTopic(1, "next");
        IBrokerProducer? producer = null;
        var behavior = new TestBehavior
        {
            Before = (c, ct) => producer!.ProduceJsonAsync(next, c.KeyString, new { c.Message }, causedBy: c, cancellationToken: ct),
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior);
        producer = node.Host.Services.GetRequiredService<IBrokerProducer>();
        kafka.Produce(topic, [Record("k", "v")]);

        var process = Assert.Single(await spans.WaitForAsync($"process {topic}", 1, Timeout));
        var send = Assert.Single(await spans.WaitForAsync($"send {next}", 1, Timeout));
        var produced = Assert.Single(kafka.ReadAll(next, 1, Timeout));

        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(process.SpanId, send.ParentSpanId);
        Assert.Equal("send", Tag(send, "messaging.operation.type"));
        Assert.Equal(next, Tag(send, "messaging.destination.name"));
        Assert.True(ActivityContext.TryParse(Encoding.UTF8.GetString(produced.Message.Headers.GetLastBytes("traceparent")), null, out var carried));
        Assert.Equal(process.TraceId, carried.TraceId);
        Assert.Equal(send.SpanId, carried.SpanId);
    }

    [Fact]
    public async Task A_malformed_traceparent_starts_a_new_trace_and_the_record_is_still_handled()
    {
        using var spans = new ExportedSpans();
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        kafka.Produce(topic, [Record("k", "v", "00-not-a-trace")]);

        await log.WaitForCountAsync(1, Timeout);
        var span = Assert.Single(await spans.WaitForAsync($"process {topic}", 1, Timeout));

        Assert.Equal(default, span.ParentSpanId);
        Assert.NotEqual(default, span.TraceId);
        Assert.Equal("handled", Tag(span, "broker.outcome"));
        Assert.Equal(0, node.Consumer.DeadLettered);
    }

    [Fact]
    public void Malformed_traceparent_warnings_are_throttled_to_one_per_interval_with_the_count_of_the_quiet_ones()
    {
        using var spans = new ExportedSpans(); // someone listens, so records are traced
        var time = new ManualTimeProvider();
        var logger = new ListLogger();
        var tracing = new RecordTracing("orders", "orders-topic", "payments", logger, time);
        ConsumeResult<byte[], byte[]> Malformed(long offset) => new()
        {
            Topic = "orders-topic",
            Partition = 3,
            Offset = offset,
            Message = new Message<byte[], byte[]> { Key = [1], Value = [2], Headers = new Headers { { "traceparent", "garbage"u8.ToArray() } } },
        };

        foreach (var offset in new long[] { 10, 11, 12 }) tracing.Start(Malformed(offset))?.Stop();
        time.Advance(RecordTracing.WarningInterval);
        var fourth = tracing.Start(Malformed(13));
        fourth?.Stop();

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.Contains("orders-topic/3@10", warnings[0]);
        Assert.Contains("'garbage'", warnings[0]);
        Assert.Contains("orders-topic/3@13", warnings[1]);
        Assert.Contains("(2 more malformed traceparent headers", warnings[1]);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Debug));
        Assert.NotNull(fourth);
        Assert.Equal(default, fourth.ParentSpanId); // a new trace
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
