using Broker.Host;

namespace Broker.Tests.Host;

/// <summary>The <c>run</c> verb's flag rules that span flags: <c>--demo-outage-zone</c> names a zone and needs <c>--demo-outage</c>.</summary>
public sealed class RunCommandSpec
{
    [Fact]
    public void The_outage_zone_is_accepted_with_an_outage_and_absent_is_no_problem()
    {
        Assert.Null(RunCommand.DemoOutageZoneProblem("eu-west-1a", 60));
        Assert.Null(RunCommand.DemoOutageZoneProblem(null, 0));
        Assert.Null(RunCommand.DemoOutageZoneProblem(null, 30));
    }

    [Fact]
    public void An_outage_zone_without_an_outage_is_refused_naming_both_flags_and_the_fix()
    {
        Assert.Equal("--demo-outage-zone a needs --demo-outage SECONDS: how long the downstream of zone a's nodes fails (e.g. --demo-outage 60).",
            RunCommand.DemoOutageZoneProblem("a", 0));
    }

    [Theory]
    [InlineData("zone a")]
    [InlineData("")]
    [InlineData("a/b")]
    public void An_outage_zone_that_is_not_a_zone_name_is_refused_naming_the_flag_and_its_value(string zone)
    {
        Assert.Equal($"--demo-outage-zone '{zone}' is not a zone name: use letters, digits, '.', '_' and '-' only (1 to 249), as in --zone.",
            RunCommand.DemoOutageZoneProblem(zone, 60));
    }
}
