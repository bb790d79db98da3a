using System.Text.Json.Serialization;
using Broker.Inspection;

namespace Broker.Host;

/// <summary>One partition in a <see cref="RunSummary"/>.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="CommittedOffset">The consumer group's committed offset, or null before any commit.</param>
/// <param name="EndOffset">The partition's end offset (high watermark), or null while unknown.</param>
/// <param name="LowWatermark">The first offset still stored, or null while unknown.</param>
/// <param name="Lag">End offset minus committed offset, or null while unknown.</param>
/// <param name="InFlight">Records accepted and not yet done (live view only).</param>
/// <param name="Paused">Fetching paused by backpressure (live view only).</param>
internal sealed record PartitionSummary(
    int Partition,
    long? CommittedOffset,
    long? EndOffset,
    long? LowWatermark,
    long? Lag,
    [property: JsonIgnore] int InFlight,
    [property: JsonIgnore] bool Paused)
{
    /// <summary>The summary of <paramref name="status"/>.</summary>
    public static PartitionSummary From(PartitionStatus status) => new(status.Partition, status.CommittedOffset,
        status.HighWatermark, status.LowWatermark, status.Lag, status.InFlight, status.Paused);
}
