using Broker.Hosting;
using Broker.Inspection;
using Broker.Inspection.Internal;

namespace Broker.Tests.Inspection;

/// <summary>The command host's settings: defaults from reference.conf, options override them, and what counts as loopback.</summary>
public sealed class InspectionSettingsSpec
{
    [Fact]
    public void Defaults_serve_on_loopback_port_9110_without_a_token_and_options_override_them()
    {
        var defaults = InspectionSettings.Create(new InspectionOptions());
        Assert.Equal(new InspectionSettings(true, "127.0.0.1", 9110, null), defaults);
        // The CLI's defaults reach a node on its defaults.
        Assert.Equal((defaults.Hostname, defaults.Port), (InspectionClient.DefaultHost, InspectionClient.DefaultPort));

        var set = InspectionSettings.Create(new InspectionOptions { Enabled = false, Hostname = "0.0.0.0", Port = 0, Token = "0123456789abcdef" });
        Assert.Equal(new InspectionSettings(false, "0.0.0.0", 0, "0123456789abcdef"), set);
        Assert.Null(InspectionSettings.Create(new InspectionOptions { Token = "" }).Token); // empty: no token
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", true)]
    [InlineData(" LocalHost ", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("::", false)]
    [InlineData("node-1.example.com", false)]
    public void Only_loopback_addresses_may_serve_without_a_token(string hostname, bool loopback) =>
        Assert.Equal(loopback, InspectionSettings.IsLoopback(hostname));
}
