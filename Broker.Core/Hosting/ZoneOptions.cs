namespace Broker.Hosting;

/// <summary>
/// One zone's place in partition placement (configuration section <c>Broker:Zones:&lt;zone&gt;</c>, where
/// <c>&lt;zone&gt;</c> is a name nodes give in <see cref="BrokerClusterOptions.Zone"/>; HOCON
/// <c>broker.zones."&lt;zone&gt;"</c>). Every node of a cluster must list the same zones with the same values:
/// the shard coordinator, on the oldest node, places partitions with its own copy. Null keeps the default
/// (<c>broker.zone-failover.default-priority</c> and <c>default-weight</c>).
/// </summary>
public sealed class ZoneOptions
{
    /// <summary>
    /// Where this zone stands when partitions leave a failed zone: they go to the healthy zone with the lowest
    /// priority number (0 first, as Envoy's locality priorities). Default 0. Range 0..1000.
    /// </summary>
    public int? Priority { get; set; }

    /// <summary>
    /// This zone's share of the partitions' home zones relative to the other zones' weights (weighted consistent
    /// hashing over the zones): a zone of weight 2 is home to about twice the partitions of a zone of weight 1.
    /// Inside the zone, node weights (<see cref="BrokerClusterOptions.Weight"/>) split them further. Default 1.
    /// Above 0, at most 100.
    /// </summary>
    public double? Weight { get; set; }
}
