using Akka.Actor;
using Akka.Cluster;
using Broker.Sharding.Internal;

namespace Broker.Tests.Sharding;

/// <summary>
/// When a node stops fetching and committing: on the side of a network partition that the split brain
/// resolver will down, as soon as the partition is seen, and never on the side that survives.
/// </summary>
public sealed class FenceDecisionSpec
{
    private static UniqueAddress Node(int port) => new(new Address("akka.tcp", "broker", "127.0.0.1", port), port);

    /// <summary>Members 1..n, all Up, 1 the oldest.</summary>
    private static FenceMember[] Up(int n) =>
        Enumerable.Range(1, n).Select(i => new FenceMember(Node(i), MemberStatus.Up, i - 1)).ToArray();

    private static HashSet<UniqueAddress> Unreachable(params int[] ports) => ports.Select(Node).ToHashSet();

    [Theory]
    [InlineData(1, new[] { 2, 3, 4, 5 }, true)] // alone against four: minority
    [InlineData(2, new[] { 1 }, false)]          // four against one: majority
    [InlineData(1, new[] { 4, 5 }, false)]       // three against two
    [InlineData(4, new[] { 1, 2, 3 }, true)]     // two against three
    [InlineData(1, new int[0], false)]           // everyone reachable
    public void Keep_majority_fences_the_smaller_side(int self, int[] unreachable, bool fenced) =>
        Assert.Equal(fenced, FenceDecision.MustFence("keep-majority", Node(self), Up(5), Unreachable(unreachable)));

    [Fact]
    public void Keep_majority_on_an_even_split_keeps_the_side_with_the_lowest_address()
    {
        Assert.False(FenceDecision.MustFence("keep-majority", Node(1), Up(4), Unreachable(3, 4)));
        Assert.True(FenceDecision.MustFence("keep-majority", Node(3), Up(4), Unreachable(1, 2)));
    }

    [Fact]
    public void Keep_oldest_fences_whoever_lost_the_oldest_and_the_oldest_when_it_is_alone()
    {
        Assert.True(FenceDecision.MustFence("keep-oldest", Node(2), Up(3), Unreachable(1)));
        Assert.False(FenceDecision.MustFence("keep-oldest", Node(1), Up(3), Unreachable(3)));
        Assert.True(FenceDecision.MustFence("keep-oldest", Node(1), Up(3), Unreachable(2, 3)));
    }

    [Fact]
    public void Down_all_fences_every_node_that_sees_anyone_unreachable()
    {
        Assert.True(FenceDecision.MustFence("down-all", Node(1), Up(5), Unreachable(5)));
        Assert.False(FenceDecision.MustFence("down-all", Node(1), Up(5), Unreachable()));
    }

    [Fact]
    public void A_node_downed_or_removed_is_fenced_and_a_joining_node_is_not_counted()
    {
        var members = Up(3);
        members[0] = members[0] with { Status = MemberStatus.Down };
        Assert.True(FenceDecision.MustFence("keep-majority", Node(1), members, Unreachable()));
        // Three Up and one still Joining: losing the joiner changes nothing.
        var withJoiner = Up(3).Append(new FenceMember(Node(4), MemberStatus.Joining, 3)).ToArray();
        Assert.False(FenceDecision.MustFence("keep-majority", Node(1), withJoiner, Unreachable(4)));
    }
}
