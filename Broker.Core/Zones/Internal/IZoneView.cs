namespace Broker.Zones.Internal;

/// <summary>
/// What every node knows of zone placement: each consumer's shard coordinator publishes its zones' states,
/// scores and shard counts and each partition's home zone (gossiped with Akka.DistributedData), and any
/// node reads the latest copy it has. Thread-safe; reads never block.
/// </summary>
internal interface IZoneView
{
    /// <summary>This node's zone (<c>Broker:Cluster:Zone</c>); empty when it has none.</summary>
    string LocalZone { get; }

    /// <summary>Every consumer's zones as last published, ordered by consumer then zone; empty until the first publication.</summary>
    IReadOnlyList<ZoneStatus> Zones { get; }

    /// <summary>The home zone of partition shard <paramref name="shardId"/> (<c>topic/partition</c>) of <paramref name="consumer"/>; null while not published.</summary>
    string? HomeZone(string consumer, string shardId);
}
