namespace Broker.Persistence.Internal;

/// <summary>
/// Snapshot of <see cref="PartitionWatermarks"/>: every watermark that still matters (at or above the
/// partition's committed offset <paramref name="Committed"/> when it was taken). Journal events before it
/// are deleted.
/// </summary>
internal sealed record WatermarkSnapshot(long Committed, IReadOnlyList<Watermark> Watermarks);
