using System.Text;
using Confluent.Kafka;

namespace Broker.Processing;

/// <summary>One record as a handler sees it, for one handler call. Immutable.</summary>
/// <typeparam name="TMessage">The deserialized record value.</typeparam>
public sealed class ConsumeContext<TMessage> : IRecordContext
{
    private readonly ConsumeResult<byte[], byte[]> _record;
    private readonly TMessage? _message;

    internal ConsumeContext(ConsumeResult<byte[], byte[]> record, TMessage? message, RecordHeaders headers,
        string consumerName, string groupId, int attempt, DateTimeOffset deadline)
    {
        _record = record;
        _message = message;
        ConsumerName = consumerName;
        GroupId = groupId;
        Headers = headers;
        Attempt = attempt;
        Deadline = deadline;
    }

    /// <summary>Which call this is for the record: 1 for the first, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>
    /// When this call's CancellationToken fires: <c>HandlerTimeout</c> after the call started, or the record's
    /// own earlier deadline (header <c>broker.deadline</c>). Records produced with <see cref="Kafka.IBrokerProducer"/>
    /// and this context as their cause carry it on.
    /// </summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>The name of the consumer definition that received the record.</summary>
    public string ConsumerName { get; }

    /// <summary>The consumer group id the record's offset is committed to.</summary>
    public string GroupId { get; }

    /// <summary>The topic.</summary>
    public string Topic => _record.Topic;

    /// <summary>The partition.</summary>
    public int Partition => _record.Partition.Value;

    /// <summary>The record's offset in its partition.</summary>
    public long Offset => _record.Offset.Value;

    /// <summary>The key bytes; null for a record produced without a key (an empty array is a real, empty key).</summary>
    public byte[]? Key => _record.Message.Key;

    /// <summary>The key decoded as UTF-8, or null when the key is null.</summary>
    public string? KeyString => Key is null ? null : Encoding.UTF8.GetString(Key);

    /// <summary>The record's headers, byte for byte.</summary>
    public RecordHeaders Headers { get; }

    /// <summary>The record's timestamp (producer create time or broker log-append time, see <see cref="TimestampType"/>).</summary>
    public DateTimeOffset Timestamp => _record.Message.Timestamp.UtcDateTime;

    /// <summary>Whether <see cref="Timestamp"/> was set by the producer or by the broker.</summary>
    public TimestampType TimestampType => _record.Message.Timestamp.Type;

    /// <summary>True when the record's value is null: a tombstone (a delete marker on compacted topics).</summary>
    public bool IsTombstone => _record.Message.Value is null;

    /// <summary>The raw value bytes; null for a tombstone.</summary>
    public byte[]? RawValue => _record.Message.Value;

    /// <summary>The deserialized value.</summary>
    /// <exception cref="InvalidOperationException">The record is a tombstone (check <see cref="IsTombstone"/>).</exception>
    public TMessage Message => IsTombstone
        ? throw new InvalidOperationException($"{Topic}/{Partition}@{Offset} is a tombstone (null value): check IsTombstone before reading Message.")
        : _message!;
}
