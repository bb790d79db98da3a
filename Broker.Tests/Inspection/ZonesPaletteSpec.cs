using System.Text.Json;
using Broker.Inspection.Internal;
using Broker.Tests.Support;
using Broker.Zones.Internal;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary>
/// <c>zones</c>: each consumer's zones from the node's zone view (a fake one the test publishes into), as the
/// client receives them (the wire's JSON), and served by a live node.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ZonesPaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private const string Self = "akka.tcp://broker@127.0.0.1:4053";
    private static readonly DateTimeOffset Since = new(2026, 11, 29, 22, 12, 38, 495, TimeSpan.Zero);

    /// <summary>The answer as the client gets it: serialized as the command host does.</summary>
    private static JsonElement Wire(ZonesPalette.ZonesView answer) =>
        JsonDocument.Parse(JsonSerializer.Serialize(answer, InspectionWire.Json)).RootElement;

    [Fact]
    public void Each_consumers_zones_show_nodes_score_to_one_decimal_state_since_and_shards_homed_and_hosted()
    {
        var view = new FakeZoneView("a")
        {
            Zones =
            [
                new ZoneStatus("payments", "a", ZoneState.Healthy, Since, 100, ["akka.tcp://broker@127.0.0.1:4053"], 3, 3),
                new ZoneStatus("orders", "b", ZoneState.Healthy, Since, 99.96, ["akka.tcp://broker@127.0.0.1:4055"], 6, 12),
                new ZoneStatus("orders", "a", ZoneState.Draining, Since.AddSeconds(5), 31.25,
                    ["akka.tcp://broker@127.0.0.1:4053", "akka.tcp://broker@127.0.0.1:4054"], 6, 0),
            ],
        };

        var answer = Wire(ZonesPalette.Answer(Self, "a", view));

        Assert.Equal(Self, answer.Text("node"));
        Assert.Equal("a", answer.Text("localZone"));
        Assert.False(answer.TryGetProperty("note", out _)); // only when there is nothing to show
        var rows = answer.Rows("zones");
        Assert.Equal([("orders", "a"), ("orders", "b"), ("payments", "a")], rows.Select(r => (r.Text("consumer"), r.Text("zone"))));
        var a = rows[0];
        Assert.Equal(["consumer", "zone", "nodes", "score", "state", "since", "shardsHomed", "shardsHosted"], a.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["akka.tcp://broker@127.0.0.1:4053", "akka.tcp://broker@127.0.0.1:4054"], a.Rows("nodes").Select(n => n.GetString()));
        Assert.Equal(31.3, a.GetProperty("score").GetDouble());
        Assert.Equal("Draining", a.Text("state"));
        Assert.Equal("2026-11-29T22:12:43.495Z", a.Text("since"));
        Assert.Equal((6L, 0L), (a.Number("shardsHomed")!.Value, a.Number("shardsHosted")!.Value));
        Assert.Equal(100, rows[1].GetProperty("score").GetDouble());
        Assert.Equal((6L, 12L), (rows[1].Number("shardsHomed")!.Value, rows[1].Number("shardsHosted")!.Value));
    }

    [Fact]
    public void The_implicit_zone_of_nodes_without_a_zone_shows_as_none()
    {
        var view = new FakeZoneView { Zones = [new ZoneStatus("orders", "", ZoneState.Healthy, Since, 100, [Self], 12, 12)] };

        var answer = Wire(ZonesPalette.Answer(Self, null, view));

        Assert.Equal("(none)", answer.Text("localZone"));
        Assert.Equal("(none)", Assert.Single(answer.Rows("zones")).Text("zone"));
    }

    [Fact]
    public void Before_any_publication_the_answer_says_so_with_no_rows()
    {
        var answer = Wire(ZonesPalette.Answer(Self, "a", new FakeZoneView("a")));

        Assert.Empty(answer.Rows("zones"));
        Assert.Equal("a", answer.Text("localZone"));
        Assert.StartsWith("No zone placement published yet:", answer.Text("note"));
    }

    [Fact]
    public void Before_broker_has_started_on_the_node_the_answer_says_so_and_names_the_nodes_zone_from_its_roles()
    {
        var answer = Wire(ZonesPalette.Answer(Self, "b", null));

        Assert.Empty(answer.Rows("zones"));
        Assert.Equal("b", answer.Text("localZone"));
        Assert.StartsWith("No zone placement yet: Broker has not started on this node", answer.Text("note"));
    }

    [Fact]
    public async Task A_live_node_serves_zones_naming_itself_and_its_zone()
    {
        var topic = kafka.CreateTopic(2);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output,
            config: new Dictionary<string, string?> { ["Broker:Cluster:Zone"] = "zone-a" });
        var up = await Inspect.UpAsync(node);

        var answer = await Inspect.Query(node, "zones");

        Assert.Equal(up.Text("self"), answer.Text("node"));
        Assert.Equal("zone-a", answer.Text("localZone"));
        // Rows once the coordinator has published, a note saying why not before.
        Assert.Equal(answer.Rows("zones").Length == 0, answer.TryGetProperty("note", out _));
        Assert.All(answer.Rows("zones"), r => Assert.Equal(topic, r.Text("consumer")));
    }
}
