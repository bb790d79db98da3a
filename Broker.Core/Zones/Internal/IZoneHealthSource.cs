namespace Broker.Zones.Internal;

/// <summary>
/// Where the shard allocation strategy learns the facts behind each zone's health score: the cluster's
/// membership and the nodes' gossiped reports in production (<see cref="DistributedDataZoneHealthSource"/>), a table in tests.
/// </summary>
internal interface IZoneHealthSource
{
    /// <summary>One entry per node currently in the cluster (Joining, Up or unreachable), of every zone.</summary>
    IReadOnlyList<ZoneNodeFacts> Facts();
}
