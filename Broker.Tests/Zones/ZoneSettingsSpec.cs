using Akka.Configuration;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>Zone settings: the documented defaults, per-zone profiles, and bad values named by their HOCON key.</summary>
public sealed class ZoneSettingsSpec
{
    private static ZoneSettings Read(string hocon) =>
        ZoneSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(BrokerSettings.Reference));

    [Fact]
    public void A_zone_not_listed_gets_priority_0_and_weight_1()
    {
        var settings = Read("");
        Assert.Empty(settings.Zones);
        Assert.Equal(new ZoneProfile(0, 1), settings.Profile("anywhere"));
    }

    [Fact]
    public void Reports_go_out_every_second_count_as_stale_after_ten_and_placement_is_republished_every_ten()
    {
        var settings = Read("");
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
            (settings.ReportInterval, settings.ReportStaleAfter, settings.PublishInterval));
    }

    [Fact]
    public void Listed_zones_take_their_own_priority_and_weight_and_the_defaults_for_the_rest()
    {
        var settings = Read("""
            broker.zones {
              "eu-west-1a" { priority = 2, weight = 3 }
              "eu.b" { weight = 0.5 }
            }
            """);
        Assert.Equal(new ZoneProfile(2, 3), settings.Profile("eu-west-1a"));
        Assert.Equal(new ZoneProfile(0, 0.5), settings.Profile("eu.b"));
    }

    [Fact]
    public void Zone_options_become_the_hocon_the_allocation_strategy_reads()
    {
        var options = new Dictionary<string, ZoneOptions>
        {
            ["eu.west-1a"] = new() { Priority = 1, Weight = 2.5 },
            ["b"] = new() { Priority = 3 },
        };
        var settings = Read(ZoneSettings.Hocon(options));
        Assert.Equal(new ZoneProfile(1, 2.5), settings.Profile("eu.west-1a"));
        Assert.Equal(new ZoneProfile(3, 1), settings.Profile("b"));
    }

    [Theory]
    [InlineData("broker.zones.a.weight = 0", "broker.zones.\"a\".weight = 0")]
    [InlineData("broker.zones.a.priority = -1", "broker.zones.\"a\".priority = -1")]
    [InlineData("broker.zones.a.priority = first", "broker.zones.\"a\"")]
    [InlineData("broker.zone-failover.recovery-threshold = 40", "broker.zone-failover.recovery-threshold = 40")]
    [InlineData("broker.zone-failover.recover-after = 1s", "broker.zone-failover.recover-after = 00:00:01")]
    [InlineData("broker.zone-failover.recover-after-max = 10s", "broker.zone-failover.recover-after-max = 00:00:10")]
    [InlineData("broker.zone-failover.failover-threshold = 0", "broker.zone-failover.failover-threshold = 0")]
    [InlineData("broker.zone-failover.score.latency-bad = 100ms", "broker.zone-failover.score.latency-bad")]
    [InlineData("broker.zone-failover.score { error-weight = 0, latency-weight = 0 }", "broker.zone-failover.score.error-weight = 0")]
    [InlineData("broker.zone-failover.drain-shards-per-rebalance = 0", "broker.zone-failover.drain-shards-per-rebalance = 0")]
    [InlineData("broker.zone-failover.report-interval = 0s", "broker.zone-failover.report-interval = 00:00:00")]
    [InlineData("broker.zone-failover.report-stale-after = 1s", "broker.zone-failover.report-stale-after = 00:00:01")]
    [InlineData("broker.zone-failover.publish-interval = 0s", "broker.zone-failover.publish-interval = 00:00:00")]
    public void A_bad_value_names_its_key_and_the_fix(string hocon, string start)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => Read(hocon));
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith(start, problem);
        Assert.Contains("Fix:", problem);
    }
}
