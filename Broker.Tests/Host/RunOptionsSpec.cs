using Broker.Host;

namespace Broker.Tests.Host;

/// <summary>Which nodes the demo outage hits: all of them, or with <c>--demo-outage-zone</c> only that zone's.</summary>
public sealed class RunOptionsSpec
{
    private static RunOptions Options(TimeSpan outage, string? outageZone) => new(null, null, 1000, 1000, TimeSpan.FromMilliseconds(1), 0,
        outage, outageZone, null, null, "orders", null, false, null, [], null, null, null, null);

    [Fact]
    public void Without_an_outage_zone_every_node_has_the_outage()
    {
        var options = Options(TimeSpan.FromSeconds(60), null);

        Assert.Equal(TimeSpan.FromSeconds(60), options.OutageIn("a"));
        Assert.Equal(TimeSpan.FromSeconds(60), options.OutageIn(null));
    }

    [Fact]
    public void With_an_outage_zone_only_that_zones_nodes_have_the_outage()
    {
        var options = Options(TimeSpan.FromSeconds(60), "a");

        Assert.Equal(TimeSpan.FromSeconds(60), options.OutageIn("a"));
        Assert.Equal(TimeSpan.Zero, options.OutageIn("b"));
        Assert.Equal(TimeSpan.Zero, options.OutageIn("A")); // zone names are case-sensitive, as cluster roles are
        Assert.Equal(TimeSpan.Zero, options.OutageIn(null));
    }
}
