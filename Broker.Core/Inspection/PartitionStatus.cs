namespace Broker.Inspection;

/// <summary>One partition of a consumer as this node last saw it (refreshed every 500 ms).</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="CommittedOffset">The offset last committed to the consumer group (the next record to read), or null before any.</param>
/// <param name="HighWatermark">The partition's end offset (one past the last record), or null while unknown.</param>
/// <param name="LowWatermark">The first offset still stored, or null while unknown. Above 0 on the embedded Kafka means records were dropped.</param>
/// <param name="InFlight">Records accepted from Kafka and not yet done.</param>
/// <param name="PeakInFlight">The most records ever in flight at once since this node took the partition (never above <c>MaxInFlightPerPartition</c>).</param>
/// <param name="Paused">True while fetching is paused: <see cref="InFlight"/> reached the window, the memory guard tripped, the
/// breaker is Open, the node is fenced, or the partition is draining before it moves or the node stops.</param>
/// <param name="Assigned">True while this node consumes the partition; false once it moved away or stopped.</param>
public sealed record PartitionStatus(
    int Partition,
    long? CommittedOffset,
    long? HighWatermark,
    long? LowWatermark,
    int InFlight,
    int PeakInFlight,
    bool Paused,
    bool Assigned)
{
    /// <summary>
    /// Consumer-group lag in records: the end offset minus the committed offset (minus the low watermark
    /// when nothing was committed yet). Null while the end offset is unknown.
    /// </summary>
    public long? Lag => HighWatermark is { } high ? Math.Max(0, high - (CommittedOffset ?? LowWatermark ?? 0)) : null;
}
