using Broker.Hosting.Internal;
using Broker.Zones.Internal;

namespace Broker.Tests.Zones;

/// <summary>The zone health score: the documented formula, its edges (all unreachable is 0) and its smoothing.</summary>
public sealed class ZoneHealthScoreSpec
{
    private static readonly ZoneScoreSettings Defaults = ZoneSettings.FromConfig(BrokerSettings.Reference).Score;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ZoneNodeFacts Node(bool up = true, double breakersClosed = 1, double errorRate = 0, int latencyMs = 10) =>
        new("a", up, breakersClosed, errorRate, TimeSpan.FromMilliseconds(latencyMs));

    private static double Score(params ZoneNodeFacts[] nodes) => new ZoneHealthScore(Defaults).Update(nodes, T0);

    [Fact]
    public void A_zone_of_healthy_nodes_scores_100()
    {
        Assert.Equal(100, Score(Node(), Node(), Node()));
    }

    [Fact]
    public void A_zone_whose_nodes_are_all_unreachable_or_gone_scores_0()
    {
        Assert.Equal(0, Score(Node(up: false), Node(up: false)));
        Assert.Equal(0, Score());
    }

    [Fact]
    public void Capacity_is_the_share_of_nodes_up_with_closed_breakers()
    {
        Assert.Equal(50, Score(Node(), Node(up: false)), 9);
        Assert.Equal(0, Score(Node(breakersClosed: 0), Node(breakersClosed: 0)));
        Assert.Equal(75, Score(Node(), Node(breakersClosed: 0.5)), 9); // Half-open counts half
    }

    [Fact]
    public void Errors_and_latency_lower_the_score_by_their_weights()
    {
        Assert.Equal(40, Score(Node(errorRate: 1)), 9);   // 100 x 0.4: only the latency term is left
        Assert.Equal(70, Score(Node(errorRate: 0.25)), 9); // errors term 0.5
        Assert.Equal(60, Score(Node(latencyMs: 5_000)), 9);
        Assert.Equal(80, Score(Node(latencyMs: 2_625)), 9); // halfway from 250 ms to 5 s
        Assert.Equal(100, Score(Node(latencyMs: 250)), 9);
    }

    [Fact]
    public void Smoothing_halves_the_distance_each_half_life_however_often_it_is_updated()
    {
        var once = new ZoneHealthScore(Defaults);
        once.Update([Node(errorRate: 0)], T0);
        var onceScore = once.Update([Node(errorRate: 0.5)], T0 + Defaults.HalfLife);

        var twice = new ZoneHealthScore(Defaults);
        twice.Update([Node(errorRate: 0)], T0);
        twice.Update([Node(errorRate: 0.5)], T0 + Defaults.HalfLife / 2);
        var twiceScore = twice.Update([Node(errorRate: 0.5)], T0 + Defaults.HalfLife);

        Assert.Equal(70, onceScore, 9); // smoothed error rate 0.25
        Assert.Equal(onceScore, twiceScore, 9);
    }
}
