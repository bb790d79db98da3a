using System.Globalization;
using System.Text;
using System.Text.Json;
using Broker.Processing;
using Broker.Processing.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>The <see cref="IBrokerProducer"/>: one idempotent Confluent.Kafka producer per node, created on first use.</summary>
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
        var result = await _producer.Value.ProduceAsync(topic,
            new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = kafkaHeaders }, cancellationToken).ConfigureAwait(false);
        return new ProducedRecord(result.Topic, result.Partition.Value, result.Offset.Value);
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
