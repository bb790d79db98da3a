namespace Broker.Resilience.Internal;

/// <summary>
/// A circuit breaker over every handler call of one consumer on this node. It keeps the outcomes of the
/// last <see cref="CircuitBreakerSettings.WindowCalls"/> calls that are also younger than
/// <see cref="CircuitBreakerSettings.WindowDuration"/> (a sliding window bounded by count and by time).
/// Closed: once the window holds at least <see cref="CircuitBreakerSettings.MinimumCalls"/>, a failure
/// rate or slow-call rate at or above its threshold opens it. Open: no call is allowed until
/// <see cref="CircuitBreakerSettings.OpenDuration"/> has passed, then Half-open: up to
/// <see cref="CircuitBreakerSettings.HalfOpenTrialCalls"/> trial calls run; if all succeed (and are not
/// slow) it closes with an empty window, the first failure re-opens it. Thread-safe; time comes from a
/// <see cref="TimeProvider"/> so tests can drive it.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly CircuitBreakerSettings _settings;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Outcome[] _window;
    private int _head, _count;
    private int _failures, _slow; // of the outcomes in the window, kept as they enter and leave it
    private DateTimeOffset _openedAt;
    private DateTimeOffset _since;
    private int _trialsStarted, _trialsSucceeded;
    private TaskCompletionSource _changed = NewSignal();

    public CircuitBreaker(CircuitBreakerSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _window = new Outcome[Math.Max(1, settings.WindowCalls)];
        _since = time.GetUtcNow();
    }

    /// <summary>
    /// Raised on every state change, with the old and new state, in the order the changes happen (under the
    /// breaker's lock: handlers must be quick and must not block).
    /// </summary>
    public event Action<BreakerState, BreakerState>? Transitioned;

    public BreakerState State
    {
        get
        {
            (BreakerState, BreakerState)? change;
            BreakerState state;
            lock (_gate)
            {
                change = RefreshLocked();
                state = StateLocked;
                Announce(change);
            }
            return state;
        }
    }

    /// <summary>How many times it went from Closed to Open.</summary>
    public int Opened => Volatile.Read(ref _opened);

    private int _opened;

    private BreakerState StateLocked
    {
        get => _state;
        set
        {
            _state = value;
            _closed = value == BreakerState.Closed;
        }
    }

    private BreakerState _state = BreakerState.Closed;

    // Read without the lock by TryAcquire: every handler call of the consumer asks, from every dispatcher thread.
    private volatile bool _closed = true;

    /// <summary>
    /// Asks to make one handler call. Closed: allowed. Open: refused. Half-open: allowed as one of the
    /// trial calls while any are left. A permit that is granted must be followed by <see cref="Record(Permit, bool)"/>.
    /// </summary>
    public bool TryAcquire(out Permit permit) => TryAcquire(_time.GetTimestamp(), out permit);

    /// <summary>
    /// <see cref="TryAcquire(out Permit)"/> for a call starting at <paramref name="now"/> (a <see cref="TimeProvider"/>
    /// timestamp). Closed, it takes no lock: a call that asks while another thread opens the breaker started
    /// before it opened.
    /// </summary>
    public bool TryAcquire(long now, out Permit permit)
    {
        if (_closed)
        {
            permit = new Permit(now, Trial: false);
            return true;
        }
        (BreakerState From, BreakerState To)? change = null;
        bool allowed;
        lock (_gate)
        {
            change = RefreshLocked();
            switch (StateLocked)
            {
                case BreakerState.Closed:
                    permit = new Permit(now, Trial: false);
                    allowed = true;
                    break;
                case BreakerState.HalfOpen when _trialsStarted < _settings.HalfOpenTrialCalls:
                    _trialsStarted++;
                    permit = new Permit(now, Trial: true);
                    allowed = true;
                    break;
                default:
                    permit = default;
                    allowed = false;
                    break;
            }
            Announce(change);
        }
        return allowed;
    }

    /// <summary>Reports how a permitted call ended.</summary>
    public void Record(Permit permit, bool succeeded) => Record(permit, succeeded, _time.GetTimestamp());

    /// <summary>Reports how a permitted call ended, at <paramref name="now"/> (a <see cref="TimeProvider"/> timestamp), which both times the call and dates its outcome.</summary>
    public void Record(Permit permit, bool succeeded, long now)
    {
        var slow = _time.GetElapsedTime(permit.StartedAt, now) >= _settings.SlowCallDuration;
        (BreakerState, BreakerState)? change = null;
        lock (_gate)
        {
            RefreshLocked();
            if (permit.Trial)
            {
                if (StateLocked == BreakerState.HalfOpen)
                {
                    if (!succeeded || slow) change = OpenLocked(BreakerState.HalfOpen);
                    else if (++_trialsSucceeded >= _settings.HalfOpenTrialCalls) change = CloseLocked();
                }
            }
            else if (StateLocked == BreakerState.Closed)
            {
                Add(new Outcome(now, !succeeded, slow));
                change = Evaluate(now);
            }
            Announce(change);
        }
    }

    /// <summary>A task that completes on the next state change (for callers waiting for a permit).</summary>
    public Task Changed
    {
        get
        {
            lock (_gate) return _changed.Task;
        }
    }

    /// <summary>When an Open breaker half-opens, or null when it is not Open.</summary>
    public DateTimeOffset? HalfOpensAt
    {
        get
        {
            lock (_gate) return StateLocked == BreakerState.Open ? _openedAt + _settings.OpenDuration : null;
        }
    }

    /// <summary>
    /// The breaker now: its state, since when, and the failure and slow-call rates of the calls in its window
    /// (in Open and Half-open, the window that opened it, as long as those calls are younger than the window duration).
    /// </summary>
    public BreakerSnapshot Snapshot()
    {
        lock (_gate)
        {
            var change = RefreshLocked();
            Expire(_time.GetTimestamp());
            var (failureRate, slowRate) = RatesLocked();
            var snapshot = new BreakerSnapshot(StateLocked, _since, _count, failureRate, slowRate, Opened,
                StateLocked == BreakerState.Open ? _openedAt + _settings.OpenDuration : null,
                StateLocked == BreakerState.HalfOpen ? _trialsStarted : 0);
            Announce(change);
            return snapshot;
        }
    }

    private (BreakerState, BreakerState)? Evaluate(long now)
    {
        Expire(now);
        if (_count < _settings.MinimumCalls) return null;
        var (failureRate, slowRate) = RatesLocked();
        return failureRate >= _settings.FailureRateThreshold || slowRate >= _settings.SlowCallRateThreshold
            ? OpenLocked(BreakerState.Closed)
            : null;
    }

    private (double FailureRate, double SlowRate) RatesLocked() =>
        _count == 0 ? (0, 0) : ((double)_failures / _count, (double)_slow / _count);

    private (BreakerState, BreakerState)? RefreshLocked()
    {
        if (StateLocked != BreakerState.Open || _time.GetUtcNow() < _openedAt + _settings.OpenDuration) return null;
        StateLocked = BreakerState.HalfOpen;
        _trialsStarted = _trialsSucceeded = 0;
        return Signal(BreakerState.Open);
    }

    private (BreakerState, BreakerState) OpenLocked(BreakerState from)
    {
        StateLocked = BreakerState.Open;
        _openedAt = _time.GetUtcNow();
        if (from == BreakerState.Closed) Interlocked.Increment(ref _opened);
        return Signal(from);
    }

    private (BreakerState, BreakerState) CloseLocked()
    {
        StateLocked = BreakerState.Closed;
        _head = _count = _failures = _slow = 0;
        return Signal(BreakerState.HalfOpen);
    }

    private (BreakerState, BreakerState) Signal(BreakerState from)
    {
        _since = _time.GetUtcNow();
        var signal = _changed;
        _changed = NewSignal();
        signal.TrySetResult();
        return (from, StateLocked);
    }

    private void Announce((BreakerState From, BreakerState To)? change)
    {
        if (change is { } c) Transitioned?.Invoke(c.From, c.To);
    }

    private void Add(Outcome outcome)
    {
        if (_count == _window.Length) DropOldest();
        _window[(_head + _count) % _window.Length] = outcome;
        _count++;
        if (outcome.Failed) _failures++;
        if (outcome.Slow) _slow++;
    }

    /// <summary>Drops outcomes older than the time window, as of <paramref name="now"/> (a TimeProvider timestamp).</summary>
    private void Expire(long now)
    {
        while (_count > 0 && _time.GetElapsedTime(_window[_head].At, now) > _settings.WindowDuration) DropOldest();
    }

    private void DropOldest()
    {
        var oldest = _window[_head];
        if (oldest.Failed) _failures--;
        if (oldest.Slow) _slow--;
        _head = (_head + 1) % _window.Length;
        _count--;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One call's outcome; <paramref name="At"/> is a TimeProvider timestamp.</summary>
    private readonly record struct Outcome(long At, bool Failed, bool Slow);

    /// <summary>Permission for one handler call, started at <paramref name="StartedAt"/> (a TimeProvider timestamp).</summary>
    public readonly record struct Permit(long StartedAt, bool Trial);
}
