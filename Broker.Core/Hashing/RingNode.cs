namespace Broker.Hashing;

/// <summary>
/// One node of a <see cref="ConsistentHashRing"/>: <paramref name="Id"/> names it on the ring (the same
/// string in every process gives the same positions), <paramref name="Weight"/> is its share relative to
/// the other nodes' weights (a node of weight 2 gets about twice the items of a node of weight 1).
/// </summary>
internal readonly record struct RingNode(string Id, double Weight);
