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
        Assert.Equal((50, TimeSpan.FromSeconds(3), 80, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 1, 10),
            (Defaults.FailoverThreshold, Defaults.FailoverAfter, Defaults.RecoveryThreshold, Defaults.RecoverAfter, Defaults.RecoverAfterMax,
                Defaults.FailbackShardsPerRebalance, Defaults.DrainShardsPerRebalance));
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

    /// <summary>
    /// A drained zone scores high (no traffic, breakers Closed or Half-open), so with its downstream still down it
    /// recovers, gets its probe partitions back, fails and drains again: each relapse doubles how long it waits.
    /// </summary>
    [Fact]
    public void A_zone_that_keeps_failing_waits_twice_as_long_after_each_relapse_up_to_recover_after_max()
    {
        var waits = new List<TimeSpan>();
        for (var round = 0; round < 6; round++)
        {
            Observe(0, 4);
            Assert.Equal(ZoneState.Draining, _zone.State);
            Observe(0, 1, hostsNone: true);
            Assert.Equal(ZoneState.Failed, _zone.State);
            var failedAt = _zone.Since;
            while (_zone.State == ZoneState.Failed) Observe(100, 1, hostsNone: true);
            waits.Add(_zone.Since - failedAt);
        }
        // From the observation that found it Failed; its first high one is a second later.
        Assert.Equal([31, 61, 121, 241, 301, 301], waits.Select(w => (int)w.TotalSeconds));
    }

    [Fact]
    public void A_zone_that_stays_healthy_for_its_recover_after_is_back_to_the_short_wait()
    {
        Observe(0, 4);
        Observe(0, 1, hostsNone: true);
        Observe(100, 31, hostsNone: true);
        Observe(0, 4); // relapse while Recovering: the next wait is 60 s
        Assert.Equal(TimeSpan.FromSeconds(60), _zone.RecoverAfter);
        Observe(0, 1, hostsNone: true);
        Observe(100, 61, hostsNone: true);
        Assert.Equal(ZoneState.Recovering, _zone.State);
        Observe(100, 1, allHome: true);
        Assert.Equal(ZoneState.Healthy, _zone.State);

        Observe(100, 50);
        Observe(0, 4); // Healthy for 54 s, less than 60 s: a relapse
        Assert.Equal(TimeSpan.FromSeconds(120), _zone.RecoverAfter);
        Observe(0, 1, hostsNone: true);
        Observe(100, 121, hostsNone: true);
        Observe(100, 1, allHome: true);
        Observe(100, 120);
        Observe(0, 4); // Healthy for 124 s, longer than 120 s: a new incident
        Assert.Equal(ZoneState.Draining, _zone.State);
        Assert.Equal(TimeSpan.FromSeconds(30), _zone.RecoverAfter);
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
