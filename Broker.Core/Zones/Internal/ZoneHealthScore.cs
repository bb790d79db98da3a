namespace Broker.Zones.Internal;

/// <summary>
/// One zone's health score, 0..100, from its nodes' facts (<c>broker.zone-failover.score</c>):
/// <code>
/// capacity = (sum over the reachable Up nodes of BreakersClosed) / (all the zone's nodes)
/// errors   = 1 - min(1, error rate / error-rate-bad)
/// latency  = 1 at or below latency-good, 0 at or above latency-bad, linear between
/// score    = 100 x capacity x (error-weight x errors + latency-weight x latency) / (error-weight + latency-weight)
/// </code>
/// Error rate and latency are the means over the reachable Up nodes, smoothed by an exponentially weighted
/// moving average whose weight for a sample taken dt after the previous one is 1 - 2^(-dt / half-life), so
/// the smoothing does not depend on how often the score is updated. A zone with no node, or none reachable
/// and Up, scores 0; so does one whose breakers are all Open. Defaults (error-weight 0.6, latency-weight 0.4,
/// error-rate-bad 0.5, latency 250 ms..5 s) put a zone whose handlers all fail at 40, one with half its nodes
/// gone at 50, and a healthy zone at 100.
/// Not thread-safe: the shard coordinator updates it, one call at a time.
/// </summary>
internal sealed class ZoneHealthScore(ZoneScoreSettings settings)
{
    private DateTimeOffset? _last;
    private double _errorRate;
    private double _latencyMs;

    /// <summary>The score after the last <see cref="Update"/>; 100 before the first.</summary>
    public double Current { get; private set; } = 100;

    /// <summary>Takes the zone's current node facts, observed at <paramref name="now"/>, and returns the new score.</summary>
    public double Update(IReadOnlyCollection<ZoneNodeFacts> nodes, DateTimeOffset now)
    {
        double capacity = 0, errors = 0, latency = 0;
        var up = 0;
        foreach (var node in nodes)
        {
            if (!node.Up) continue;
            up++;
            capacity += Math.Clamp(node.BreakersClosed, 0, 1);
            errors += Math.Clamp(node.ErrorRate, 0, 1);
            latency += Math.Max(0, node.Latency.TotalMilliseconds);
        }
        if (up == 0) return Current = 0; // the averages keep their last values: nothing new was seen
        Smooth(errors / up, latency / up, now);
        return Current = Compute(capacity / nodes.Count, _errorRate, TimeSpan.FromMilliseconds(_latencyMs), settings);
    }

    private void Smooth(double errorRate, double latencyMs, DateTimeOffset now)
    {
        if (_last is not { } last)
        {
            (_errorRate, _latencyMs) = (errorRate, latencyMs);
        }
        else
        {
            var dt = Math.Max(0, (now - last).TotalSeconds);
            var alpha = 1 - Math.Pow(2, -dt / settings.HalfLife.TotalSeconds);
            _errorRate += alpha * (errorRate - _errorRate);
            _latencyMs += alpha * (latencyMs - _latencyMs);
        }
        _last = now;
    }

    /// <summary>The formula above, for already smoothed values; <paramref name="capacity"/> and <paramref name="errorRate"/> are shares 0..1.</summary>
    public static double Compute(double capacity, double errorRate, TimeSpan latency, ZoneScoreSettings s)
    {
        var errors = 1 - Math.Min(1, Math.Clamp(errorRate, 0, 1) / s.ErrorRateBad);
        var latencyTerm = latency <= s.LatencyGood ? 1
            : latency >= s.LatencyBad ? 0
            : (s.LatencyBad - latency) / (s.LatencyBad - s.LatencyGood);
        var quality = (s.ErrorWeight * errors + s.LatencyWeight * latencyTerm) / (s.ErrorWeight + s.LatencyWeight);
        return Math.Clamp(100 * Math.Clamp(capacity, 0, 1) * quality, 0, 100);
    }
}
