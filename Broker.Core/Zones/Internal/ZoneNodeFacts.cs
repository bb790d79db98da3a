namespace Broker.Zones.Internal;

/// <summary>
/// What one node of <paramref name="Zone"/> (empty for nodes without a zone) tells the zone health score:
/// whether it is <paramref name="Up"/> (member status Up and reachable from this node), the share of its
/// consumers' circuit breakers that are Closed (<paramref name="BreakersClosed"/>, 0..1, Half-open counting
/// half), its handler <paramref name="ErrorRate"/> (failed calls over calls, 0..1) and its handler
/// <paramref name="Latency"/> (mean duration of a call); <paramref name="Node"/> is its cluster address
/// (empty when the source does not know it).
/// </summary>
internal readonly record struct ZoneNodeFacts(string Zone, bool Up, double BreakersClosed, double ErrorRate, TimeSpan Latency, string Node = "");
