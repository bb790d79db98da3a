using Akka.Cluster;
using Broker.Sharding.Internal;

namespace Broker.Zones.Internal;

/// <summary>
/// Zone health facts from the cluster state as this node sees it: every Joining, WeaklyUp or Up member
/// counts toward its zone (role <c>zone:NAME</c>), and is up when its status is Up and it is reachable.
/// Its breakers count as Closed and its error rate and latency as 0: this source knows membership only,
/// so a zone's score here is 100 x the share of its nodes reachable and Up.
/// </summary>
internal sealed class ClusterZoneHealthSource(Cluster cluster) : IZoneHealthSource
{
    public IReadOnlyList<ZoneNodeFacts> Facts()
    {
        var state = cluster.State;
        var facts = new List<ZoneNodeFacts>(state.Members.Count);
        foreach (var member in state.Members)
        {
            if (member.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up)) continue;
            var up = member.Status == MemberStatus.Up && !state.Unreachable.Contains(member);
            facts.Add(new ZoneNodeFacts(NodeRoles.Zone(member.Roles) ?? "", up, 1, 0, TimeSpan.Zero));
        }
        return facts;
    }
}
