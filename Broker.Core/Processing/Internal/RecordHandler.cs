using Confluent.Kafka;

namespace Broker.Processing.Internal;

/// <summary>Deserializes a record and calls the user's handler; one per consumer per node.</summary>
internal abstract class RecordHandler
{
    /// <summary>
    /// Handles <paramref name="record"/>. Throws <see cref="PoisonRecordException"/> (synchronously) when
    /// the value does not deserialize; anything else the handler throws comes back in the task.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="call">This call's attempt number (from 1) and deadline.</param>
    /// <param name="cancellationToken">Fires at the deadline or when the partition stops here.</param>
    public abstract Task HandleAsync(ConsumeResult<byte[], byte[]> record, CallInfo call, CancellationToken cancellationToken);
}
