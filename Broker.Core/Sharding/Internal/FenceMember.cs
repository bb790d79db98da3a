using Akka.Cluster;

namespace Broker.Sharding.Internal;

/// <summary>
/// A cluster member as <see cref="FenceDecision"/> weighs it: its address, status, and its age rank among
/// the members (0 is the oldest, in Akka's <see cref="Member.AgeOrdering"/>).
/// </summary>
internal readonly record struct FenceMember(UniqueAddress Node, MemberStatus Status, int Age)
{
    /// <summary>The members ranked by age.</summary>
    public static FenceMember[] Of(IEnumerable<Member> members) =>
        members.OrderBy(m => m, Member.AgeOrdering).Select((m, i) => new FenceMember(m.UniqueAddress, m.Status, i)).ToArray();
}
