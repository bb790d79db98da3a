namespace Broker.Zones.Internal;

/// <summary>
/// One zone's failover state machine, with hysteresis (<c>broker.zone-failover</c>):
/// <list type="bullet">
/// <item>Healthy or Recovering → Draining: the score stayed below <see cref="ZoneSettings.FailoverThreshold"/> for <see cref="ZoneSettings.FailoverAfter"/>.</item>
/// <item>Draining → Failed: the zone hosts no partition.</item>
/// <item>Draining or Failed → Recovering: the score stayed at or above the higher <see cref="ZoneSettings.RecoveryThreshold"/> for the longer <see cref="ZoneSettings.RecoverAfter"/>.</item>
/// <item>Recovering → Healthy: every partition homed in the zone is hosted in it.</item>
/// </list>
/// "Stayed" means every observation over that span was on that side of the threshold, so a zone whose score
/// flips at random leaves Healthy only after a run of bad observations as long as failover-after and comes
/// back only after a run of good ones as long as recover-after; each change costs at least one such run.
/// Time comes from the caller. Not thread-safe: the shard coordinator observes it, one call at a time.
/// </summary>
internal sealed class ZoneFailover(ZoneSettings settings, DateTimeOffset now)
{
    private DateTimeOffset? _lowSince;
    private DateTimeOffset? _highSince;

    public ZoneState State { get; private set; } = ZoneState.Healthy;

    /// <summary>When <see cref="State"/> last changed (or the machine was created).</summary>
    public DateTimeOffset Since { get; private set; } = now;

    /// <summary>Whether the zone may host partitions: Healthy or Recovering.</summary>
    public bool Hosts => State is ZoneState.Healthy or ZoneState.Recovering;

    /// <summary>Takes one observation and returns whether <see cref="State"/> changed.</summary>
    /// <param name="score">The zone's health score now, 0..100.</param>
    /// <param name="now">The observation's time; never earlier than the previous one's.</param>
    /// <param name="hostsNone">The zone's nodes host no partition.</param>
    /// <param name="allHome">Every partition whose home is the zone is hosted in it (none is in hand-off).</param>
    public bool Observe(double score, DateTimeOffset now, bool hostsNone, bool allHome)
    {
        if (score < settings.FailoverThreshold) _lowSince ??= now;
        else _lowSince = null;
        if (score >= settings.RecoveryThreshold) _highSince ??= now;
        else _highSince = null;
        var failing = _lowSince is { } low && now - low >= settings.FailoverAfter;
        var recovered = _highSince is { } high && now - high >= settings.RecoverAfter;

        var next = State switch
        {
            ZoneState.Healthy when failing => ZoneState.Draining,
            ZoneState.Draining when recovered => ZoneState.Recovering,
            ZoneState.Draining when hostsNone => ZoneState.Failed,
            ZoneState.Failed when recovered => ZoneState.Recovering,
            ZoneState.Recovering when failing => ZoneState.Draining,
            ZoneState.Recovering when allHome => ZoneState.Healthy,
            _ => State,
        };
        if (next == State) return false;
        State = next;
        Since = now;
        return true;
    }
}
