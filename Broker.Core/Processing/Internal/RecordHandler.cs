using Confluent.Kafka;

namespace Broker.Processing.Internal;

/// <summary>Deserializes a record and calls the user's handler; one per consumer per node.</summary>
internal abstract class RecordHandler
{
    /// <summary>
    /// Handles <paramref name="record"/>. Throws <see cref="PoisonRecordException"/> (synchronously) when
    /// the value does not deserialize; anything else the handler throws comes back in the task.
    /// </summary>
    public abstract Task HandleAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken);
}
