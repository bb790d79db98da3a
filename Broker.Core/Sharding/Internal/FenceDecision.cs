using Akka.Actor;
using Akka.Cluster;

namespace Broker.Sharding.Internal;

/// <summary>
/// Whether this node must stop fetching and committing because it may lose its shards to the other side of
/// a network partition: the same rule the split brain resolver applies, evaluated at once on every
/// reachability change instead of after <c>stable-after</c>, so the losing side is quiet long before the
/// winners take its shards over. Pure: a function of the membership this node sees.
/// </summary>
internal static class FenceDecision
{
    /// <param name="strategy">The split brain resolver strategy: <c>keep-majority</c>, <c>keep-oldest</c> or <c>down-all</c>.</param>
    /// <param name="self">This node.</param>
    /// <param name="members">Every member this node knows, with its latest status (<see cref="FenceMember.Of"/>).</param>
    /// <param name="unreachable">Members this node's failure detector marks unreachable.</param>
    public static bool MustFence(string strategy, UniqueAddress self, IReadOnlyCollection<FenceMember> members,
        IReadOnlySet<UniqueAddress> unreachable)
    {
        var me = members.Where(m => m.Node.Equals(self)).Select(m => (FenceMember?)m).FirstOrDefault();
        if (me is { Status: MemberStatus.Down or MemberStatus.Removed }) return true;
        // The members the resolver decides over; a node still joining owns no shards yet.
        var voters = members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).ToList();
        if (me is not { } self_ || !voters.Contains(self_) || unreachable.Count == 0) return false;
        var reachable = voters.Count(m => !unreachable.Contains(m.Node));
        switch (strategy)
        {
            case "keep-oldest":
                var oldest = voters.MinBy(m => m.Age);
                if (oldest.Node.Equals(self)) return reachable == 1 && voters.Count > 1; // alone: the oldest downs itself
                return unreachable.Contains(oldest.Node);
            case "down-all":
                return voters.Any(m => unreachable.Contains(m.Node));
            default: // keep-majority: an even split keeps the side with the lowest address
                if (reachable * 2 != voters.Count) return reachable * 2 < voters.Count;
                var lowest = voters.Select(m => m.Node.Address).OrderBy(a => a, Member.AddressOrdering).First();
                return voters.Any(m => m.Node.Address.Equals(lowest) && unreachable.Contains(m.Node));
        }
    }
}
