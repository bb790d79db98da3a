using Broker.Hosting.Internal;
using Broker.Tests.Support;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>
/// The per-zone failover state machine: a zone leaves quickly when its score stays low, comes back only after
/// staying high for longer, and a zone whose health flips at random does not flap.
/// </summary>
public sealed class ZoneFailoverSpec
{
    private static readonly ZoneSettings Defaults = ZoneSettings.FromConfig(BrokerSettings.Reference);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly ManualTimeProvider _clock = new();
    private readonly ZoneFailover _zone;

    public ZoneFailoverSpec() => _zone = new ZoneFailover(Defaults, new ManualTimeProvider().GetUtcNow());

    /// <summary>Observes <paramref name="score"/> once per second for <paramref name="seconds"/>; returns the transitions.</summary>
    private int Observe(double score, int seconds, bool hostsNone = false, bool allHome = false)
    {
        var changes = 0;
        for (var i = 0; i < seconds; i++)
        {
            if (_zone.Observe(score, _clock.GetUtcNow(), hostsNone, allHome)) changes++;
            _clock.Advance(Tick);
        }
        return changes;
    }

    [Fact]
    public void The_defaults_are_documented_ones()
    {
        Assert.Equal((50, TimeSpan.FromSeconds(3), 80, TimeSpan.FromSeconds(30), 1, 10),
            (Defaults.FailoverThreshold, Defaults.FailoverAfter, Defaults.RecoveryThreshold, Defaults.RecoverAfter, Defaults.FailbackShardsPerRebalance,
                Defaults.DrainShardsPerRebalance));
    }

    [Fact]
    public void A_dip_shorter_than_failover_after_changes_nothing()
    {
        Assert.Equal(0, Observe(10, 3)); // observed at 0..2 s: below for 2 s
        Assert.Equal(0, Observe(100, 1));
        Assert.Equal(0, Observe(10, 3));
        Assert.Equal(ZoneState.Healthy, _zone.State);
    }

    [Fact]
    public void A_zone_goes_through_draining_failed_recovering_and_back_to_healthy()
    {
        Observe(10, 4);
        Assert.Equal(ZoneState.Draining, _zone.State); // below for 3 s

        Observe(10, 1, hostsNone: true);
        Assert.Equal(ZoneState.Failed, _zone.State);

        Observe(65, 60, hostsNone: true); // between the thresholds: not recovered
        Assert.Equal(ZoneState.Failed, _zone.State);

        Observe(90, 30, hostsNone: true);
        Assert.Equal(ZoneState.Failed, _zone.State); // at or above 80 for 29 s
        Observe(90, 1, hostsNone: true);
        Assert.Equal(ZoneState.Recovering, _zone.State);
        Assert.Equal(_clock.GetUtcNow() - Tick, _zone.Since);

        Observe(90, 5);
        Assert.Equal(ZoneState.Recovering, _zone.State); // partitions still coming home
        Observe(90, 1, allHome: true);
        Assert.Equal(ZoneState.Healthy, _zone.State);
    }

    [Fact]
    public void A_relapse_while_recovering_drains_again()
    {
        Observe(0, 6);
        Observe(0, 1, hostsNone: true);
        Observe(100, 31);
        Assert.Equal(ZoneState.Recovering, _zone.State);

        Observe(0, 6);
        Assert.Equal(ZoneState.Draining, _zone.State);
    }

    [Fact]
    public void A_score_alternating_every_second_never_leaves_healthy()
    {
        for (var i = 0; i < 600; i++) Observe(i % 2 == 0 ? 0 : 100, 1);
        Assert.Equal(ZoneState.Healthy, _zone.State);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_zone_healthy_half_the_time_at_random_makes_at_most_two_transitions_in_an_hour(int seed)
    {
        // A 50% flaky probe: each second the score is 0 or 100 at random. Leaving Healthy takes 4 bad seconds
        // in a row (likely within an hour); coming back takes 31 good ones in a row (about 1 in 2 billion).
        var random = new Random(seed);
        var transitions = 0;
        for (var second = 0; second < 3600; second++)
        {
            var draining = _zone.State == ZoneState.Draining;
            if (_zone.Observe(random.Next(2) == 0 ? 0 : 100, _clock.GetUtcNow(), hostsNone: draining, allHome: !draining)) transitions++;
            _clock.Advance(Tick);
        }
        Assert.InRange(transitions, 0, 2); // Healthy -> Draining -> Failed, and it stays out
        Assert.NotEqual(ZoneState.Recovering, _zone.State);
    }
}
