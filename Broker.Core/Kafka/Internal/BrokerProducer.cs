using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Broker.Processing;
using Broker.Processing.Internal;
using Broker.Telemetry;
using Broker.Telemetry.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>
/// The <see cref="IBrokerProducer"/>: one idempotent Confluent.Kafka producer per node, created on first use.
/// Each record gets a <c>send {topic}</c> span (kind Producer, child of the current activity, when anyone
/// listens) and carries the current trace context in its <c>traceparent</c>/<c>tracestate</c> headers.
/// </summary>
internal sealed class BrokerProducer(KafkaEndpoint kafka, ILogger<BrokerProducer> logger) : IBrokerProducer, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer = new(() =>
        new ProducerBuilder<byte[]?, byte[]?>(kafka.ProducerConfig("broker-producer"))
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .Build());

    public async Task<ProducedRecord> ProduceAsync(string topic, byte[]? key, byte[]? value, IEnumerable<RecordHeader>? headers = null,
        IRecordContext? causedBy = null, CancellationToken cancellationToken = default)
    {
        var kafkaHeaders = new Headers();
        if (headers is not null)
            foreach (var h in headers) kafkaHeaders.Add(h.Key, h.Value);
        if (causedBy is not null && !kafkaHeaders.TryGetLastBytes(RecordPipeline.DeadlineHeader, out _))
            kafkaHeaders.Add(RecordPipeline.DeadlineHeader,
                Encoding.UTF8.GetBytes(causedBy.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        using var span = StartSend(topic);
        // A traceparent the caller wrote itself wins; otherwise the record continues the current trace.
        if ((span ?? Activity.Current) is { } current && !kafkaHeaders.TryGetLastBytes(TraceContextHeaders.TraceParent, out _))
            TraceContextHeaders.Inject(current.Context, kafkaHeaders);
        try
        {
            var result = await _producer.Value.ProduceAsync(topic,
                new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = kafkaHeaders }, cancellationToken).ConfigureAwait(false);
            if (span is { IsAllDataRequested: true })
            {
                span.SetTag(MessagingAttributes.DestinationPartitionId, result.Partition.Value.ToString(CultureInfo.InvariantCulture));
                span.SetTag(MessagingAttributes.KafkaOffset, result.Offset.Value);
            }
            return new ProducedRecord(result.Topic, result.Partition.Value, result.Offset.Value);
        }
        catch (Exception e) when (span is not null)
        {
            span.SetTag(MessagingAttributes.ErrorType, e.GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    private static Activity? StartSend(string topic)
    {
        var source = BrokerTelemetry.ActivitySource;
        if (!source.HasListeners()) return null;
        return source.StartActivity("send " + topic, ActivityKind.Producer, default(ActivityContext),
        [
            new(MessagingAttributes.System, MessagingAttributes.KafkaSystem),
            new(MessagingAttributes.OperationType, "send"),
            new(MessagingAttributes.OperationName, "send"),
            new(MessagingAttributes.DestinationName, topic),
        ]);
    }

    public Task<ProducedRecord> ProduceJsonAsync<T>(string topic, string? key, T message, IRecordContext? causedBy = null,
        CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, key is null ? null : Encoding.UTF8.GetBytes(key), JsonSerializer.SerializeToUtf8Bytes(message, Json),
            null, causedBy, cancellationToken);

    private int _disposed;

    public void Dispose()
    {
        // Registered under two service types, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || !_producer.IsValueCreated) return;
        _producer.Value.Flush(TimeSpan.FromSeconds(10));
        _producer.Value.Dispose();
    }
}
