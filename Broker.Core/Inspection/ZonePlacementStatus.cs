using Broker.Zones.Internal;

namespace Broker.Inspection;

/// <summary>
/// One zone in one consumer's partition placement, as the consumer's shard coordinator last published it and this
/// node received it (every node sees the same cluster-wide figures, each as of its latest copy).
/// </summary>
/// <param name="Consumer">The consumer's name (<c>Broker:Consumers:NAME</c>).</param>
/// <param name="Zone">The zone's name (<c>Broker:Cluster:Zone</c> of its nodes); empty for the implicit zone of nodes without one.</param>
/// <param name="State">Where the zone stands in failover.</param>
/// <param name="Since">When <paramref name="State"/> last changed, by the coordinator's clock (UTC).</param>
/// <param name="Score">The zone's health score, 0..100 (the formula is in Broker's reference.conf, <c>broker.zone-failover.score</c>).</param>
/// <param name="Nodes">Akka addresses of the zone's nodes that are Joining, Up or unreachable, in address order.</param>
/// <param name="ShardsHomed">Partitions (shards) of the consumer whose home zone is this zone.</param>
/// <param name="ShardsHosted">Partitions (shards) of the consumer hosted by this zone's nodes now.</param>
public sealed record ZonePlacementStatus(
    string Consumer,
    string Zone,
    ZoneFailoverState State,
    DateTimeOffset Since,
    double Score,
    IReadOnlyList<string> Nodes,
    int ShardsHomed,
    int ShardsHosted)
{
    internal static ZonePlacementStatus From(ZoneStatus z) => new(z.Consumer, z.Zone, z.State switch
    {
        ZoneState.Draining => ZoneFailoverState.Draining,
        ZoneState.Failed => ZoneFailoverState.Failed,
        ZoneState.Recovering => ZoneFailoverState.Recovering,
        _ => ZoneFailoverState.Healthy,
    }, z.Since, z.Score, z.Nodes, z.ShardsHomed, z.ShardsHosted);
}
