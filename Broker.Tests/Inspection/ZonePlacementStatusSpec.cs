using Broker.Inspection;
using Broker.Zones.Internal;

namespace Broker.Tests.Inspection;

/// <summary>What <c>BrokerStatus.Zones</c> gives a service: each published zone, its state by name.</summary>
public sealed class ZonePlacementStatusSpec
{
    [Theory]
    [InlineData("Healthy", ZoneFailoverState.Healthy)]
    [InlineData("Draining", ZoneFailoverState.Draining)]
    [InlineData("Failed", ZoneFailoverState.Failed)]
    [InlineData("Recovering", ZoneFailoverState.Recovering)]
    public void A_published_zone_keeps_every_figure_and_its_state(string state, ZoneFailoverState expected)
    {
        var published = Enum.Parse<ZoneState>(state);
        var since = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        string[] nodes = ["akka.tcp://broker@127.0.0.1:4053"];

        var status = ZonePlacementStatus.From(new ZoneStatus("orders", "a", published, since, 42.5, nodes, 6, 4));

        Assert.Equal(new ZonePlacementStatus("orders", "a", expected, since, 42.5, nodes, 6, 4), status);
    }
}
