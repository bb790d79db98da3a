namespace Broker.Zones.Internal;

/// <summary>
/// The terms of <see cref="ZoneHealthScore"/>: <c>broker.zone-failover.score</c>.
/// </summary>
/// <param name="ErrorWeight">Weight of the errors term, at least 0.</param>
/// <param name="LatencyWeight">Weight of the latency term, at least 0; not both 0.</param>
/// <param name="ErrorRateBad">Error rate (0..1] at which the errors term reaches 0.</param>
/// <param name="LatencyGood">Latency at or below which the latency term is 1.</param>
/// <param name="LatencyBad">Latency at or above which the latency term is 0; above <paramref name="LatencyGood"/>.</param>
/// <param name="HalfLife">Half-life of the moving averages of error rate and latency; above 0.</param>
internal sealed record ZoneScoreSettings(
    double ErrorWeight, double LatencyWeight, double ErrorRateBad, TimeSpan LatencyGood, TimeSpan LatencyBad, TimeSpan HalfLife);
