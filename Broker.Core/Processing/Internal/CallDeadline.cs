namespace Broker.Processing.Internal;

/// <summary>
/// The CancellationToken a keyed consumer hands its handler: it fires at the call's deadline or when the
/// partition stops here. One per keyed consumer, reused call after call (reset instead of reallocated),
/// and its timer is only armed for calls that do not complete at once.
/// </summary>
internal sealed class CallDeadline : IDisposable
{
    private CancellationTokenSource _cts = new();
    private CancellationToken _stopping;
    private CancellationTokenRegistration _stoppingRegistration;
    private bool _armed;

    /// <summary>Makes every call's token also fire when <paramref name="stopping"/> does.</summary>
    public void Bind(CancellationToken stopping)
    {
        _stoppingRegistration.Dispose();
        _stopping = stopping;
        _stoppingRegistration = stopping.Register(static s => ((CallDeadline)s!).CancelCurrent(), this);
    }

    /// <summary>The token for the next call.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when the current call's token fired because its deadline passed (not because of a stop).</summary>
    public bool TimedOut => _cts.IsCancellationRequested && !_stopping.IsCancellationRequested;

    /// <summary>The call did not complete at once: fire its token at <paramref name="deadline"/>.</summary>
    public void Arm(DateTimeOffset deadline, TimeProvider time)
    {
        var left = deadline - time.GetUtcNow();
        if (left <= TimeSpan.Zero) _cts.Cancel();
        else _cts.CancelAfter(left);
        _armed = true;
    }

    /// <summary>The call is over: ready the token for the next one.</summary>
    public void Reset()
    {
        if (!_armed && !_cts.IsCancellationRequested) return;
        _armed = false;
        if (_cts.TryReset()) return;
        // A fired source cannot be reset; a handler still holding its token keeps seeing it cancelled.
        _cts = new CancellationTokenSource();
        if (_stopping.IsCancellationRequested) _cts.Cancel();
    }

    /// <summary>
    /// The keyed consumer stopped: leave the partition's stopping token. Its registration would otherwise keep this
    /// object alive as long as the partition stays here, one per key that ever ran on it.
    /// </summary>
    public void Dispose()
    {
        _stoppingRegistration.Dispose();
        _stoppingRegistration = default;
        _cts.Dispose();
    }

    private void CancelCurrent()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // replaced meanwhile
        }
    }
}
