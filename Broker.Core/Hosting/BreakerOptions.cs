namespace Broker.Hosting;

/// <summary>
/// The circuit breaker over a consumer's handler calls on a node (configuration section
/// <c>Broker:Consumer:Breaker</c>). It opens when, among the last <see cref="WindowCalls"/> calls younger than
/// <see cref="WindowDuration"/> (and at least <see cref="MinimumCalls"/> of them), the failure rate reaches
/// <see cref="FailureRate"/> or the share of calls slower than <see cref="SlowCallDuration"/> reaches
/// <see cref="SlowCallRate"/>. While Open no handler is called and the consumer's partitions pause; after
/// <see cref="OpenDuration"/> it lets <see cref="HalfOpenCalls"/> trial calls through (Half-open) and closes
/// when they all succeed. Null keeps the default.
/// </summary>
public sealed class BreakerOptions
{
    /// <summary>Whether the breaker acts at all. Default true.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Most calls in the sliding window. Default 50. Range 1..100,000.</summary>
    public int? WindowCalls { get; set; }

    /// <summary>Oldest call in the sliding window. Default 10 s.</summary>
    public TimeSpan? WindowDuration { get; set; }

    /// <summary>Calls the window must hold before the breaker can open. Default 20.</summary>
    public int? MinimumCalls { get; set; }

    /// <summary>Share of failed calls (0..1] that opens it. Default 0.5.</summary>
    public double? FailureRate { get; set; }

    /// <summary>A call at least this long counts as slow. Default 5 s.</summary>
    public TimeSpan? SlowCallDuration { get; set; }

    /// <summary>Share of slow calls (0..1] that opens it. Default 1.0.</summary>
    public double? SlowCallRate { get; set; }

    /// <summary>How long it stays open before trial calls. Default 5 s.</summary>
    public TimeSpan? OpenDuration { get; set; }

    /// <summary>Trial calls in Half-open; all must succeed to close. Default 3.</summary>
    public int? HalfOpenCalls { get; set; }
}
