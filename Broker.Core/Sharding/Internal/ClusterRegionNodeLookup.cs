using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;

namespace Broker.Sharding.Internal;

/// <summary>
/// Looks a region's node up in the cluster's current state: a region ref with a local address is on this
/// node (the shard coordinator's own node), any other by its address.
/// </summary>
internal sealed class ClusterRegionNodeLookup(Cluster cluster) : IRegionNodeLookup
{
    private ImmutableSortedSet<Member>? _members;
    private Dictionary<Address, Member> _byAddress = new();

    public RegionNode? NodeOf(IActorRef region)
    {
        var address = region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
        if (!Members().TryGetValue(address, out var member)) return null;
        return new RegionNode(address.ToString(), NodeRoles.Weight(member.Roles),
            member.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed,
            NodeRoles.Zone(member.Roles));
    }

    public bool RebalanceAllowed
    {
        get
        {
            var state = cluster.State;
            return state.Unreachable.Count == 0 && !state.Members.Any(m => m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp);
        }
    }

    private Dictionary<Address, Member> Members()
    {
        // The state's member set is replaced on every change: rebuild the index only then.
        var members = cluster.State.Members;
        if (!ReferenceEquals(members, _members))
        {
            var byAddress = new Dictionary<Address, Member>(members.Count);
            // A restarted node's old incarnation can linger (Down) beside the new one at the same address.
            foreach (var m in members)
                if (!byAddress.TryGetValue(m.Address, out var seen) || seen.Status != MemberStatus.Up) byAddress[m.Address] = m;
            _byAddress = byAddress;
            _members = members;
        }
        return _byAddress;
    }
}
