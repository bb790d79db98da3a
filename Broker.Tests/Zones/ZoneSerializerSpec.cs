using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit.Xunit2;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>
/// The zone values Akka.DistributedData gossips between nodes go in Broker's binary form and come back the
/// same, alone and inside the replicated maps that carry them.
/// </summary>
public sealed class ZoneSerializerSpec() : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    """).WithFallback(Broker.Hosting.Internal.BrokerSettings.Reference))
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    private static ZonePlacement Placement(int partitions) => new("orders", 42, T0,
    [
        new ZoneStatus("orders", "a", ZoneState.Draining, T0.AddSeconds(-3), 12.5, ["akka.tcp://broker@10.0.0.1:4053", "akka.tcp://broker@10.0.0.2:4053"], 6, 2),
        new ZoneStatus("orders", "b", ZoneState.Healthy, T0.AddMinutes(-5), 100, ["akka.tcp://broker@10.0.1.1:4053"], 6, 10),
        new ZoneStatus("orders", "", ZoneState.Failed, T0, 0, [], 0, 0),
    ], Enumerable.Range(0, partitions).ToDictionary(p => $"orders/{p}", p => p % 2 == 0 ? "a" : "b"));

    private static void AssertSame(ZonePlacement expected, ZonePlacement actual)
    {
        Assert.Equal((expected.Consumer, expected.Round, expected.PublishedAt), (actual.Consumer, actual.Round, actual.PublishedAt));
        Assert.Equal(expected.Zones.Count, actual.Zones.Count);
        foreach (var (e, a) in expected.Zones.Zip(actual.Zones))
        {
            Assert.Equal(e with { Nodes = [] }, a with { Nodes = [] });
            Assert.Equal(e.Nodes, a.Nodes);
        }
        Assert.Equal(expected.Homes.OrderBy(h => h.Key), actual.Homes.OrderBy(h => h.Key));
    }

    [Fact]
    public void A_health_report_round_trips_through_the_zone_serializer()
    {
        var report = new ZoneHealthReport(7, [
            new ConsumerHealth("orders", 1, 0, TimeSpan.FromMilliseconds(3.5)),
            new ConsumerHealth("payments", 0.5, 0.25, TimeSpan.Zero),
        ]);

        Assert.IsType<ZoneSerializer>(Sys.Serialization.FindSerializerFor(report));
        Assert.Equal(report, RoundTrip(report));
    }

    [Fact]
    public void A_placement_round_trips_and_a_thousand_partitions_cost_a_few_bytes_each()
    {
        var placement = Placement(1_000);

        Assert.IsType<ZoneSerializer>(Sys.Serialization.FindSerializerFor(placement));
        AssertSame(placement, (ZonePlacement)RoundTrip(placement));
        var bytes = Sys.Serialization.FindSerializerFor(placement).ToBinary(placement).Length;
        Assert.True(bytes < 1_000 * 16, $"{bytes} bytes for 1,000 partitions");
    }

    [Fact]
    public void The_replicated_maps_carrying_them_round_trip_between_nodes()
    {
        DistributedData.Get(Sys); // registers Akka.DistributedData's own serializers, as Broker does at start
        var node = new UniqueAddress(new Akka.Actor.Address("akka.tcp", "broker", "10.0.0.1", 4053), 17);
        var report = new ZoneHealthReport(3, [new ConsumerHealth("orders", 0, 1, TimeSpan.FromSeconds(2))]);
        var reports = LWWDictionary<string, ZoneHealthReport>.Empty.SetItem(node, ZoneReplicaKeys.NodeKey(node), report);
        var placements = LWWDictionary<string, ZonePlacement>.Empty.SetItem(node, "orders", Placement(12));

        var reportsBack = (LWWDictionary<string, ZoneHealthReport>)RoundTrip(reports);
        var placementsBack = (LWWDictionary<string, ZonePlacement>)RoundTrip(placements);

        Assert.Equal(report, reportsBack[ZoneReplicaKeys.NodeKey(node)]);
        AssertSame(Placement(12), placementsBack["orders"]);
    }
}
