using Broker.Telemetry.Internal;
using Broker.Tests.Support;
using Xunit;

namespace Broker.Tests.Telemetry;

/// <summary>A flood of dead letters gives one warning per 10 s, which says how many it stood for.</summary>
public sealed class WarningThrottleSpec
{
    [Fact]
    public void A_flood_of_dead_letters_warns_once_per_interval_and_counts_the_rest()
    {
        var clock = new ManualTimeProvider();
        var log = new WarningThrottle(clock);

        Assert.True(log.ShouldWarn(out var quiet));
        Assert.Equal(0, quiet);
        var warnings = Enumerable.Range(0, 10_000).Count(_ => log.ShouldWarn(out long _));
        Assert.Equal(0, warnings);

        clock.Advance(WarningThrottle.Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(log.ShouldWarn(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(log.ShouldWarn(out quiet));
        Assert.Equal(10_001, quiet);
    }
}
