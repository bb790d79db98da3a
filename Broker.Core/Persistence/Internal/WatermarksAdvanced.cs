namespace Broker.Persistence.Internal;

/// <summary>
/// Journal event of <see cref="PartitionWatermarks"/>: these keys' watermarks moved up to these offsets,
/// when the partition's latest confirmed commit was <paramref name="Committed"/> (-1 before any).
/// </summary>
internal sealed record WatermarksAdvanced(long Committed, IReadOnlyList<Watermark> Watermarks);
