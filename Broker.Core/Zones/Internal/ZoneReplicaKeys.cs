using Akka.Cluster;
using Akka.DistributedData;

namespace Broker.Zones.Internal;

/// <summary>
/// The Akka.DistributedData keys zones are gossiped under: one map of every node's health report, and one
/// register per consumer holding its zone placement.
/// </summary>
internal static class ZoneReplicaKeys
{
    /// <summary>Each node's latest <see cref="ZoneHealthReport"/>, by <see cref="NodeKey"/>; entries of departed nodes are removed.</summary>
    public static readonly LWWDictionaryKey<string, ZoneHealthReport> Health = new("broker-zone-health");

    /// <summary>The zone placement of <paramref name="consumer"/>, written by its shard coordinator.</summary>
    public static LWWRegisterKey<ZonePlacement> Placement(string consumer) => new("broker-zone-placement-" + consumer);

    /// <summary>A node's entry in <see cref="Health"/>: its address and incarnation, so a restarted node starts a new entry.</summary>
    public static string NodeKey(UniqueAddress node) => $"{node.Address}#{node.Uid}";
}
