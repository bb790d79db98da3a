namespace Broker.Sharding.Internal;

/// <summary>
/// What shard placement knows of the node that hosts a sharding region: <paramref name="Id"/> (its cluster
/// address, the same string on every node), its <paramref name="Weight"/> (role <c>weight:N</c>, default 1),
/// whether it is <paramref name="Leaving"/> the cluster (Leaving, Exiting, Down or Removed), so it gets
/// no shards, and its <paramref name="Zone"/> (role <c>zone:NAME</c>; null for none).
/// </summary>
internal sealed record RegionNode(string Id, double Weight, bool Leaving, string? Zone = null);
