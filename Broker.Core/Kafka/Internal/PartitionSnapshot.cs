namespace Broker.Kafka.Internal;

/// <summary>One partition as the poll thread sees it at the moment it is asked (<see cref="NodeConsumer.InspectAsync"/>).</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="Position">The offset of the next record this node hands to the partition owner, or null before any is known.</param>
/// <param name="Committed">The offset last committed to the consumer group (the next record to read), or null before any.</param>
/// <param name="HighWatermark">The end offset (one past the last record) as of the latest fetch, or null while unknown.</param>
/// <param name="LowWatermark">The first offset still stored, or null while unknown.</param>
/// <param name="InFlight">Records accepted and not yet done.</param>
/// <param name="Window">The most records that may be in flight (<c>MaxInFlightPerPartition</c>).</param>
/// <param name="PausedBy">Why fetching is paused (none: fetching).</param>
/// <param name="Draining">True once the owner stopped fetching to hand the partition off or shut down.</param>
/// <param name="PeakWatermarks">The most idempotency watermarks (keys) the owner held at once (bounded by <c>MaxWatermarksPerPartition</c> plus the window).</param>
internal sealed record PartitionSnapshot(
    int Partition,
    long? Position,
    long? Committed,
    long? HighWatermark,
    long? LowWatermark,
    int InFlight,
    int Window,
    PauseReasons PausedBy,
    bool Draining,
    int PeakWatermarks)
{
    /// <summary>Consumer-group lag: end offset minus committed offset (minus the low watermark before any commit); null while the end is unknown.</summary>
    public long? Lag => HighWatermark is { } high ? Math.Max(0, high - (Committed ?? LowWatermark ?? 0)) : null;
}
