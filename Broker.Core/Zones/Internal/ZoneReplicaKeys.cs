using Akka.Cluster;
using Akka.DistributedData;

namespace Broker.Zones.Internal;

/// <summary>
/// The Akka.DistributedData keys zones are gossiped under: one map of every node's health report, and one
/// map of every consumer's zone placement. Maps, because Akka.DistributedData gossips a map's changed entries
/// (deltas) to every node within about a gossip interval, where a register waits for full-state gossip.
/// </summary>
internal static class ZoneReplicaKeys
{
    /// <summary>Each node's latest <see cref="ZoneHealthReport"/>, by <see cref="NodeKey"/>; entries of departed nodes are removed.</summary>
    public static readonly LWWDictionaryKey<string, ZoneHealthReport> Health = new("broker-zone-health");

    /// <summary>Each consumer's latest <see cref="ZonePlacement"/>, by consumer name, written by its shard coordinator.</summary>
    public static readonly LWWDictionaryKey<string, ZonePlacement> Placements = new("broker-zone-placements");

    /// <summary>A node's entry in <see cref="Health"/>: its address and incarnation, so a restarted node starts a new entry.</summary>
    public static string NodeKey(UniqueAddress node) => $"{node.Address}#{node.Uid}";
}
