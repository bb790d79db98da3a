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
/// A zone that drains again before it stayed Healthy for its current recover-after (from Recovering, or soon
/// after becoming Healthy) waits twice as long the next time, up to <see cref="ZoneSettings.RecoverAfterMax"/>:
/// a drained zone has no traffic to judge its downstream by, so the partitions that return are its probe, and a
/// downstream that stays down must not pull them back and forth every recover-after.
/// Time comes from the caller. Not thread-safe: the shard coordinator observes it, one call at a time.
/// </summary>
internal sealed class ZoneFailover(ZoneSettings settings, DateTimeOffset now)
{
    private DateTimeOffset? _lowSince;
    private DateTimeOffset? _highSince;
    private bool _recovered; // became Healthy by recovering (not Healthy from the start)

    /// <summary>How long the score must now stay high before the zone recovers: recover-after, doubled per relapse.</summary>
    public TimeSpan RecoverAfter { get; private set; } = settings.RecoverAfter;

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
        var recovered = _highSince is { } high && now - high >= RecoverAfter;

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
        if (next == ZoneState.Draining) RecoverAfter = Relapsed(now) ? Doubled(RecoverAfter) : settings.RecoverAfter;
        if (next == ZoneState.Healthy) _recovered = true;
        State = next;
        Since = now;
        return true;
    }

    /// <summary>Draining again from Recovering, or from a Healthy that has not lasted the current recover-after.</summary>
    private bool Relapsed(DateTimeOffset now) =>
        State == ZoneState.Recovering || (State == ZoneState.Healthy && _recovered && now - Since < RecoverAfter);

    private TimeSpan Doubled(TimeSpan after) => after * 2 < settings.RecoverAfterMax ? after * 2 : settings.RecoverAfterMax;
}
