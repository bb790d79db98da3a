using Akka.Cluster;
using Akka.DistributedData;
using Broker.Tests.Support;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>
/// A consumer's zone health facts: membership merged with each node's latest gossiped report, with the
/// documented meaning of a missing report (healthy, on membership alone) and of a stale one (down).
/// </summary>
public sealed class DistributedDataZoneHealthSourceSpec
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();
    private readonly ZoneHealthReports _reports;
    private LWWDictionary<string, ZoneHealthReport> _replica = LWWDictionary<string, ZoneHealthReport>.Empty;

    public DistributedDataZoneHealthSourceSpec() => _reports = new ZoneHealthReports(_clock);

    private static UniqueAddress Node(int n) => new(new Akka.Actor.Address("akka.tcp", "broker", $"10.0.0.{n}", 4053), n);

    private static ZoneMember Member(int n, string zone = "a", bool up = true) =>
        new(ZoneReplicaKeys.NodeKey(Node(n)), Node(n).Address.ToString(), zone, up);

    /// <summary>Node <paramref name="n"/> publishes report number <paramref name="sequence"/> and this node's replica gets it now.</summary>
    private void Report(int n, long sequence, params ConsumerHealth[] consumers)
    {
        _replica = _replica.SetItem(Node(n), ZoneReplicaKeys.NodeKey(Node(n)), new ZoneHealthReport(sequence, consumers));
        _reports.Update(_replica);
    }

    private IReadOnlyList<ZoneNodeFacts> Facts(params ZoneMember[] members) =>
        DistributedDataZoneHealthSource.Merge("orders", members, _reports, StaleAfter);

    [Fact]
    public void A_fresh_report_gives_the_nodes_breakers_error_rate_and_latency_for_the_consumer()
    {
        Report(1, 1, new ConsumerHealth("payments", 1, 0, TimeSpan.Zero), new ConsumerHealth("orders", 0.5, 0.2, TimeSpan.FromMilliseconds(40)));

        var fact = Assert.Single(Facts(Member(1)));

        Assert.Equal(new ZoneNodeFacts("a", true, 0.5, 0.2, TimeSpan.FromMilliseconds(40), Node(1).Address.ToString()), fact);
    }

    [Fact]
    public void A_reachable_node_without_a_report_yet_or_without_the_consumer_counts_as_healthy()
    {
        Report(2, 1, new ConsumerHealth("payments", 0, 1, TimeSpan.FromSeconds(9)));

        var facts = Facts(Member(1), Member(2));

        Assert.All(facts, f => Assert.Equal((true, 1.0, 0.0, TimeSpan.Zero), (f.Up, f.BreakersClosed, f.ErrorRate, f.Latency)));
    }

    [Fact]
    public void A_report_unchanged_for_report_stale_after_counts_its_node_as_down_until_it_reports_again()
    {
        Report(1, 1, new ConsumerHealth("orders", 1, 0, TimeSpan.Zero));
        _clock.Advance(StaleAfter);
        Report(1, 1, new ConsumerHealth("orders", 1, 0, TimeSpan.Zero)); // gossiped again, but the same report
        Assert.True(Assert.Single(Facts(Member(1))).Up);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(Assert.Single(Facts(Member(1))).Up);

        Report(1, 2, new ConsumerHealth("orders", 1, 0, TimeSpan.Zero));
        Assert.True(Assert.Single(Facts(Member(1))).Up);
    }

    [Fact]
    public void An_unreachable_or_not_yet_up_member_is_down_whatever_it_last_reported()
    {
        Report(1, 1, new ConsumerHealth("orders", 1, 0, TimeSpan.Zero));

        var fact = Assert.Single(Facts(Member(1, up: false)));

        Assert.False(fact.Up);
        Assert.Equal("a", fact.Zone);
    }

    [Fact]
    public void A_restarted_node_is_a_new_entry_so_its_old_incarnations_report_is_not_its_own()
    {
        Report(1, 9, new ConsumerHealth("orders", 0, 1, TimeSpan.Zero));
        var restarted = new UniqueAddress(Node(1).Address, 1001);

        var fact = Assert.Single(Facts(new ZoneMember(ZoneReplicaKeys.NodeKey(restarted), restarted.Address.ToString(), "a", true)));

        Assert.Equal(1, fact.BreakersClosed);
    }

    [Fact]
    public void Reports_of_two_hundred_departed_nodes_are_all_found_for_removal_once_stale_and_a_members_never()
    {
        var report = new ZoneHealthReport(1, [new ConsumerHealth("orders", 1, 0, TimeSpan.Zero)]);
        _replica = LWWDictionary<string, ZoneHealthReport>.Empty;
        // Written by one replica here (each node writes its own entry in a cluster; who wrote it does not matter below).
        for (var n = 1; n <= 200; n++) _replica = _replica.SetItem(Node(1), ZoneReplicaKeys.NodeKey(Node(n)), report);
        _reports.Update(_replica);
        var members = new HashSet<string>(StringComparer.Ordinal) { ZoneReplicaKeys.NodeKey(Node(1)) };
        Assert.Empty(_reports.Departed(members, StaleAfter)); // a node may report before this one sees it join

        _clock.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        Report(2, 2, new ConsumerHealth("orders", 1, 0, TimeSpan.Zero)); // still reporting: joining, not gone
        var departed = _reports.Departed(members, StaleAfter);

        Assert.Equal(198, departed.Count);
        Assert.DoesNotContain(ZoneReplicaKeys.NodeKey(Node(1)), departed);
        Assert.DoesNotContain(ZoneReplicaKeys.NodeKey(Node(2)), departed);
        _replica = departed.Aggregate(_replica, (map, node) => map.Remove(Node(1), node)); // as the leader's reporter does
        _reports.Update(_replica);
        Assert.Equal(2, _reports.Current.Count);
    }

    [Fact]
    public void Each_member_counts_toward_its_own_zone()
    {
        var facts = Facts(Member(1, "a"), Member(2, "b"), Member(3, ""));

        Assert.Equal(["a", "b", ""], facts.Select(f => f.Zone));
    }
}
