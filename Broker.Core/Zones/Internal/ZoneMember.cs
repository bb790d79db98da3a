namespace Broker.Zones.Internal;

/// <summary>
/// A cluster member as zone health sees it: its entry in the health reports (<paramref name="Key"/>,
/// <see cref="ZoneReplicaKeys.NodeKey"/>), its <paramref name="Address"/>, its <paramref name="Zone"/> (empty
/// for none) and whether it is <paramref name="Up"/> (member status Up and reachable from this node).
/// </summary>
internal readonly record struct ZoneMember(string Key, string Address, string Zone, bool Up);
