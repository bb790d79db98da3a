namespace Broker.Zones.Internal;

/// <summary>
/// One zone's place in one consumer's partition placement, as that consumer's shard coordinator last
/// published it (see <see cref="IZoneView"/>).
/// </summary>
/// <param name="Consumer">The consumer's name (<c>Broker:Consumers:NAME</c>), whose sharding region places the partitions.</param>
/// <param name="Zone">The zone's name; empty for the implicit zone of nodes without one.</param>
/// <param name="State">Where the zone stands in failover.</param>
/// <param name="Since">When <paramref name="State"/> last changed, as the coordinator's clock saw it.</param>
/// <param name="Score">The zone's health score, 0..100 (<see cref="ZoneHealthScore"/>).</param>
/// <param name="Nodes">The zone's nodes (member addresses) that are Joining, Up or unreachable, in address order.</param>
/// <param name="ShardsHomed">Partition shards whose home zone is this zone.</param>
/// <param name="ShardsHosted">Partition shards hosted by this zone's nodes now.</param>
internal sealed record ZoneStatus(
    string Consumer,
    string Zone,
    ZoneState State,
    DateTimeOffset Since,
    double Score,
    IReadOnlyList<string> Nodes,
    int ShardsHomed,
    int ShardsHosted);
