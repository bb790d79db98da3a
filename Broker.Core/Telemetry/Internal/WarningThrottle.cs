namespace Broker.Telemetry.Internal;

/// <summary>
/// Decides which of a flood of like events (dead letters, malformed headers) are logged as warnings: the first
/// one, then at most one per <see cref="Interval"/>, carrying how many were logged at Debug since. A flood of
/// poison records (say 5% of 10,000 records/s) then costs a warning every 10 s, not 500 a second, while every
/// one is still counted and handled. Thread-safe.
/// </summary>
internal sealed class WarningThrottle(TimeProvider time)
{
    /// <summary>The least time between two warnings: 10 s.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private long _nextWarning = long.MinValue;
    private long _quiet;

    /// <summary>
    /// True when this event should be a warning; then <paramref name="quietSince"/> is how many were
    /// only logged at Debug since the previous warning.
    /// </summary>
    public bool ShouldWarn(out long quietSince)
    {
        var now = time.GetTimestamp();
        var next = Interlocked.Read(ref _nextWarning);
        if (now >= next && Interlocked.CompareExchange(ref _nextWarning, now + (long)(Interval.TotalSeconds * time.TimestampFrequency), next) == next)
        {
            quietSince = Interlocked.Exchange(ref _quiet, 0);
            return true;
        }
        Interlocked.Increment(ref _quiet);
        quietSince = 0;
        return false;
    }
}
