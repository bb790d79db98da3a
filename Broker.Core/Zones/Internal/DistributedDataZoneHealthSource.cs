using Akka.Cluster;
using Broker.Sharding.Internal;

namespace Broker.Zones.Internal;

/// <summary>
/// One consumer's zone health facts: this node's view of the cluster's membership merged with the health
/// report each node gossips (<see cref="ZoneHealthReporter"/>, read from the local replica through
/// <see cref="ZoneHealthReports"/>). Every Joining, WeaklyUp or Up member counts toward its zone
/// (role <c>zone:NAME</c>), and is up when its status is Up and it is reachable from this node. For an up
/// node:
/// <list type="bullet">
/// <item>a report not older than <see cref="ZoneSettings.ReportStaleAfter"/> gives its breakers, error rate
/// and latency for the consumer (a node that does not run the consumer counts as healthy);</item>
/// <item>no report yet (it has just started, or the gossip has not reached this node) counts as healthy:
/// membership is the only evidence, and a starting cluster must not fail its zones over;</item>
/// <item>a report that has not changed for report-stale-after counts the node as down: it still answers
/// heartbeats but no longer tells how its consumers fare.</item>
/// </list>
/// <see cref="Facts"/> reads two snapshots and never blocks (the shard coordinator calls it).
/// </summary>
internal sealed class DistributedDataZoneHealthSource(string consumer, Cluster cluster, ZoneHealthReports reports, TimeSpan staleAfter)
    : IZoneHealthSource
{
    public IReadOnlyList<ZoneNodeFacts> Facts() => Merge(consumer, Members(cluster.State), reports, staleAfter);

    /// <summary>The members that count toward their zone: Joining, WeaklyUp or Up.</summary>
    public static IEnumerable<ZoneMember> Members(ClusterEvent.CurrentClusterState state)
    {
        foreach (var member in state.Members)
        {
            if (member.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)) continue;
            yield return new ZoneMember(ZoneReplicaKeys.NodeKey(member.UniqueAddress), member.Address.ToString(),
                NodeRoles.Zone(member.Roles) ?? "", member.Status == MemberStatus.Up && !state.Unreachable.Contains(member));
        }
    }

    /// <summary>The rules above, over plain member facts.</summary>
    public static IReadOnlyList<ZoneNodeFacts> Merge(string consumer, IEnumerable<ZoneMember> members, ZoneHealthReports reports,
        TimeSpan staleAfter)
    {
        var current = reports.Current;
        var facts = new List<ZoneNodeFacts>();
        foreach (var member in members)
        {
            var (up, closed, errors, latency) = (member.Up, 1.0, 0.0, TimeSpan.Zero);
            if (up && current.TryGetValue(member.Key, out var entry))
            {
                if (reports.Age(entry) > staleAfter) up = false;
                else if (entry.Report.For(consumer) is { } c) (closed, errors, latency) = (c.BreakersClosed, c.ErrorRate, c.Latency);
            }
            facts.Add(new ZoneNodeFacts(member.Zone, up, closed, errors, latency, member.Address));
        }
        return facts;
    }
}
