using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using Broker.Hosting.Internal;
using Broker.Tests.Support;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>
/// Zone placement as every node reads it: the shard coordinator's publisher writes each round's placement to
/// the local replicator only when an operator would see a change (or the last one is old), and the view
/// shows the replica's latest copy of every consumer's placement without ever waiting.
/// </summary>
public sealed class DistributedDataZoneViewSpec() : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.cluster.distributed-data.notify-subscribers-interval = 50ms
    """).WithFallback(BrokerSettings.Reference))
{
    private static readonly ZoneSettings Settings = ZoneSettings.FromConfig(BrokerSettings.Reference);
    private static readonly UniqueAddress Self = new(new Akka.Actor.Address("akka.tcp", "broker", "10.0.0.1", 4053), 1);
    private readonly ManualTimeProvider _clock = new();

    private static ZoneStatus Status(string consumer, string zone, double score = 100, ZoneState state = ZoneState.Healthy, int hosted = 6) =>
        new(consumer, zone, state, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), score, [], 6, hosted);

    private static readonly IReadOnlyDictionary<string, string> Homes = new Dictionary<string, string> { ["orders/0"] = "a", ["orders/1"] = "b" };

    [Fact]
    public void The_view_lists_every_consumers_zones_in_order_and_each_partitions_home()
    {
        var view = new DistributedDataZoneView("a");
        Assert.Empty(view.Zones);
        Assert.Null(view.HomeZone("orders", "orders/0"));

        view.Update([
            new("payments", new ZonePlacement("payments", 1, _clock.GetUtcNow(), [Status("payments", "a")], new Dictionary<string, string>())),
            new("orders", new ZonePlacement("orders", 3, _clock.GetUtcNow(), [Status("orders", "a"), Status("orders", "b")], Homes)),
        ]);

        Assert.Equal("a", view.LocalZone);
        Assert.Equal([("orders", "a"), ("orders", "b"), ("payments", "a")], view.Zones.Select(z => (z.Consumer, z.Zone)));
        Assert.Equal("b", view.HomeZone("orders", "orders/1"));
        Assert.Null(view.HomeZone("orders", "orders/7"));
        Assert.Null(view.HomeZone("payments", "orders/1"));
        Assert.Equal(3, view.Placement("orders")!.Round);
    }

    [Fact]
    public void The_publisher_writes_only_what_changed_or_once_per_publish_interval()
    {
        var replicator = CreateTestProbe();
        var publisher = new ZonePlacementPublisher("orders", replicator, Self, Settings, _clock);
        ZonePlacement Published()
        {
            var update = replicator.ExpectMsg<Update>();
            var map = (LWWDictionary<string, ZonePlacement>)update.Modify(LWWDictionary<string, ZonePlacement>.Empty);
            return map["orders"];
        }

        publisher.Publish([Status("orders", "a"), Status("orders", "b")], Homes);
        Assert.Equal(1, Published().Round);

        _clock.Advance(TimeSpan.FromSeconds(1));
        publisher.Publish([Status("orders", "a", score: 99.5), Status("orders", "b")], Homes); // under a point: nothing new
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        publisher.Publish([Status("orders", "a", score: 98), Status("orders", "b")], Homes);
        Assert.Equal(3, Published().Round);
        publisher.Publish([Status("orders", "a", score: 98, state: ZoneState.Draining), Status("orders", "b")], Homes);
        Assert.Equal(ZoneState.Draining, Published().Zones[0].State);
        publisher.Publish([Status("orders", "a", score: 98, state: ZoneState.Draining, hosted: 5), Status("orders", "b")], Homes);
        Assert.Equal(5, Published().Zones[0].ShardsHosted);
        publisher.Publish([Status("orders", "a", score: 98, state: ZoneState.Draining, hosted: 5), Status("orders", "b")],
            new Dictionary<string, string> { ["orders/0"] = "b", ["orders/1"] = "b" });
        Assert.Equal("b", Published().Homes["orders/0"]);

        _clock.Advance(Settings.PublishInterval);
        publisher.Publish([Status("orders", "a", score: 98, state: ZoneState.Draining, hosted: 5), Status("orders", "b")],
            new Dictionary<string, string> { ["orders/0"] = "b", ["orders/1"] = "b" });
        Assert.Equal(_clock.GetUtcNow(), Published().PublishedAt); // the same, but the last one is old
    }

    [Fact]
    public void A_score_crossing_a_threshold_is_published_even_by_less_than_a_point()
    {
        var replicator = CreateTestProbe();
        var publisher = new ZonePlacementPublisher("orders", replicator, Self, Settings, _clock);
        publisher.Publish([Status("orders", "a", score: Settings.FailoverThreshold + 0.2)], Homes);
        replicator.ExpectMsg<Update>();

        publisher.Publish([Status("orders", "a", score: Settings.FailoverThreshold - 0.2)], Homes);

        replicator.ExpectMsg<Update>();
    }

    [Fact]
    public void What_the_coordinator_publishes_reaches_the_view_through_the_local_replica()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        var replicator = DistributedData.Get(Sys).Replicator;
        var view = new DistributedDataZoneView("b");
        Sys.ActorOf(ReplicaSubscriber.Props(replicator, [
            (ZoneReplicaKeys.Placements, data => view.Update((LWWDictionary<string, ZonePlacement>)data)),
        ]));
        var orders = new ZonePlacementPublisher("orders", replicator, cluster.SelfUniqueAddress, Settings, _clock);
        var payments = new ZonePlacementPublisher("payments", replicator, cluster.SelfUniqueAddress, Settings, _clock);

        orders.Publish([Status("orders", "a", state: ZoneState.Failed, hosted: 0), Status("orders", "b")], Homes);
        payments.Publish([Status("payments", "b")], new Dictionary<string, string>());

        AwaitAssert(() =>
        {
            Assert.Equal([("orders", "a", ZoneState.Failed), ("orders", "b", ZoneState.Healthy), ("payments", "b", ZoneState.Healthy)],
                view.Zones.Select(z => (z.Consumer, z.Zone, z.State)));
            Assert.Equal("a", view.HomeZone("orders", "orders/0"));
        }, TimeSpan.FromSeconds(10));
    }
}
