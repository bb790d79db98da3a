using Broker.Host;

namespace Broker.Tests.Host;

/// <summary>The zones on Broker.Host's progress line and live view: each zone's state and partitions hosted/homed, and how many are away.</summary>
public sealed class ZoneProgressSpec
{
    private static readonly DateTimeOffset Since = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ZoneSummary Zone(string? zone, string state, int homed, int hosted, string consumer = "orders") =>
        new(consumer, zone, state, Since, 100, [], homed, hosted);

    [Fact]
    public void Each_zone_shows_its_state_and_partitions_hosted_out_of_homed_and_the_line_counts_those_away_from_home()
    {
        Assert.Equal("a:Draining 2/6 b:Healthy 10/6 (4 away from home)",
            ZoneProgress.Line([Zone("b", "Healthy", 6, 10), Zone("a", "Draining", 6, 2)]));
        Assert.Equal("a:Failed 0/6 b:Healthy 12/6 (6 away from home)",
            ZoneProgress.Line([Zone("a", "Failed", 6, 0), Zone("b", "Healthy", 6, 12)]));
        Assert.Equal("a:Healthy 6/6 b:Healthy 6/6", ZoneProgress.Line([Zone("a", "Healthy", 6, 6), Zone("b", "Healthy", 6, 6)]));
    }

    [Fact]
    public void Nothing_is_shown_before_a_publication_or_when_every_node_is_in_the_implicit_zone()
    {
        Assert.Null(ZoneProgress.Line([]));
        Assert.Null(ZoneProgress.Line([Zone(null, "Healthy", 12, 12)]));
        Assert.Null(ZoneProgress.Markup([Zone(null, "Healthy", 12, 12)]));
    }

    [Fact]
    public void Nodes_without_a_zone_beside_named_zones_show_as_none()
    {
        Assert.Equal("(none):Healthy 4/4 a:Recovering 3/8 (5 away from home)",
            ZoneProgress.Line([Zone("a", "Recovering", 8, 3), Zone(null, "Healthy", 4, 4)]));
    }

    [Fact]
    public void Several_consumers_are_each_named_before_their_zones()
    {
        Assert.Equal("orders: a:Healthy 6/6 b:Healthy 6/6; payments: a:Draining 1/3 b:Healthy 5/3 (2 away from home)",
            ZoneProgress.Line([
                Zone("a", "Draining", 3, 1, "payments"), Zone("b", "Healthy", 3, 5, "payments"),
                Zone("a", "Healthy", 6, 6), Zone("b", "Healthy", 6, 6),
            ]));
    }

    [Fact]
    public void The_live_view_colours_states_that_are_not_healthy_and_escapes_names()
    {
        Assert.Equal("a:[yellow]Draining[/] 2/6 b:[red]Failed[/] 0/0 c:[blue]Recovering[/] 1/3 d:Healthy 12/6 (6 away from home)",
            ZoneProgress.Markup([Zone("a", "Draining", 6, 2), Zone("b", "Failed", 0, 0), Zone("c", "Recovering", 3, 1), Zone("d", "Healthy", 6, 12)]));
        Assert.Equal("[[x]]:Healthy 1/1", ZoneProgress.Markup([Zone("[x]", "Healthy", 1, 1)]));
    }
}
