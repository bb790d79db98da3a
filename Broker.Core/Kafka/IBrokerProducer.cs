using Broker.Processing;

namespace Broker.Kafka;

/// <summary>
/// Produces records to Kafka from a Broker service (registered by <c>AddBroker</c>; resolve it from DI). Its
/// producer is idempotent (<c>enable.idempotence</c>), acknowledged by all in-sync replicas, and partitions
/// by key as Kafka's Java client does (murmur2). When a record is produced on behalf of one being handled
/// (<c>causedBy</c>), the handler call's deadline is carried on in the <c>broker.deadline</c> header
/// (Unix time in milliseconds), so the next consumer honours what is left of it. Every record carries the
/// current trace context (<see cref="System.Diagnostics.Activity.Current"/>: inside a handler, its record's
/// span or one of yours beneath it) in W3C <c>traceparent</c>/<c>tracestate</c> headers, unless
/// <c>headers</c> has its own <c>traceparent</c>; with a listener on the <c>Broker</c> ActivitySource each
/// record also gets a <c>send {topic}</c> span (kind Producer). Thread-safe.
/// </summary>
public interface IBrokerProducer
{
    /// <summary>Produces one record; completes when Kafka has acknowledged it.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key bytes, or null.</param>
    /// <param name="value">The value bytes, or null (a tombstone).</param>
    /// <param name="headers">Headers to write, in order; null values allowed.</param>
    /// <param name="causedBy">The record being handled that this one follows from, or null.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (the record may still be written).</param>
    /// <returns>Where the record was written.</returns>
    /// <exception cref="Confluent.Kafka.ProduceException{TKey,TValue}">Kafka refused or could not store the record.</exception>
    Task<ProducedRecord> ProduceAsync(string topic, byte[]? key, byte[]? value, IEnumerable<RecordHeader>? headers = null,
        IRecordContext? causedBy = null, CancellationToken cancellationToken = default);

    /// <summary>Produces <paramref name="message"/> as UTF-8 JSON (System.Text.Json, web defaults) with a UTF-8 key.</summary>
    /// <exception cref="Confluent.Kafka.ProduceException{TKey,TValue}">Kafka refused or could not store the record.</exception>
    Task<ProducedRecord> ProduceJsonAsync<T>(string topic, string? key, T message, IRecordContext? causedBy = null,
        CancellationToken cancellationToken = default);
}
