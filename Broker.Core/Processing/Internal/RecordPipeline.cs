using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using Broker.Hosting.Internal;
using Broker.Resilience.Internal;
using Broker.Telemetry;
using Broker.Telemetry.Internal;
using Confluent.Kafka;
using Polly;
using Polly.Retry;

namespace Broker.Processing.Internal;

/// <summary>
/// Runs one record through everything that decides whether and when its handler is called, one per
/// consumer per node, used by all its keyed consumers at once: the rate and concurrency limits (waiting,
/// never dropping), the circuit breaker (no call while it is Open), the call's deadline, and retries with
/// exponential backoff and jitter (Polly) until the record succeeds, turns out to be poison, or has used its
/// attempts. A first attempt that completes at once costs no task, no state machine and no timer. The record's span (if it is
/// traced) is current while its handler runs, and gets an event per retry.
/// </summary>
internal sealed class RecordPipeline
{
    /// <summary>The header carrying a record's deadline: Unix time in milliseconds, as decimal text.</summary>
    public const string DeadlineHeader = "broker.deadline";

    private static readonly ResiliencePropertyKey<RetryState> StateKey = new("broker.record");

    private readonly RecordHandler _handler;
    private readonly ConsumerSettings _settings;
    private readonly CircuitBreaker? _breaker;
    private readonly RateLimiter? _rate;
    private readonly RateLimiter? _concurrency;
    private readonly ConsumerCounters _counters;
    private readonly TimeProvider _time;
    private readonly bool _systemClock; // TimeProvider.System's timestamps are Stopwatch's
    private readonly ResiliencePipeline<Attempt> _retry;

    public RecordPipeline(RecordHandler handler, ConsumerSettings settings, CircuitBreaker? breaker,
        ConsumerCounters counters, TimeProvider time)
    {
        _handler = handler;
        _settings = settings;
        _breaker = breaker;
        _counters = counters;
        _time = time;
        _systemClock = ReferenceEquals(time, TimeProvider.System);
        // Waiters are keyed consumers with records in flight, so MaxInFlight bounds the queues.
        if (settings.MaxRecordsPerSecond > 0)
        {
            var perTick = Math.Max(1, (int)Math.Round(settings.MaxRecordsPerSecond / 10));
            _rate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = perTick,
                TokensPerPeriod = perTick,
                ReplenishmentPeriod = TimeSpan.FromSeconds(perTick / settings.MaxRecordsPerSecond),
                QueueLimit = settings.MaxInFlight,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
        if (settings.MaxConcurrentHandlers > 0)
        {
            _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentHandlers,
                QueueLimit = settings.MaxInFlight,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
        _retry = new ResiliencePipelineBuilder<Attempt> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<Attempt>
            {
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome.Result)),
                MaxRetryAttempts = int.MaxValue, // ShouldRetry decides, from MaxAttempts and the record's deadline
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                OnRetry = args =>
                {
                    _counters.Retried();
                    if (args.Context.Properties.GetValue(StateKey, null!) is { Span: { } span } state)
                        RecordTracing.Retrying(span, state.Calls, args.RetryDelay, args.Outcome.Result.Error);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="record"/> until it is handled, must be dead-lettered, or the partition stops here
    /// (<paramref name="stopping"/>). <paramref name="call"/> is the keyed consumer's reusable call token;
    /// <paramref name="span"/> the record's span, or null when it is not traced. Once
    /// <paramref name="yielding"/> fires (the partition is handing off), a record that would wait, for the
    /// breaker to let a call through or for its next attempt, is given up instead (Yielded): it was not
    /// handled, so the partition's next owner reads it again. A call in progress is never cut short by it.
    /// </summary>
    public ValueTask<RecordOutcome> ProcessAsync(ConsumeResult<byte[], byte[]> record, CallDeadline call,
        Activity? span, CancellationToken stopping, CancellationToken yielding = default)
    {
        // The common case runs here without a state machine: nobody traces the record, no limit is set, the
        // breaker lets the call through and the handler completes at once. Anything else goes on in
        // ProcessSlowAsync, from the call already started if there is one.
        if (span is not null || _rate is not null || _concurrency is not null)
            return ProcessSlowAsync(record, call, span, stopping, yielding, started: null);
        var headerDeadline = HeaderDeadline(record);
        var now = _time.GetUtcNow();
        var deadline = DeadlineOf(now, headerDeadline);
        // On the system clock the call's start and end timestamps serve the breaker and the duration histogram
        // alike: two clock reads per call instead of four.
        var startedAt = _systemClock ? Stopwatch.GetTimestamp() : 0;
        CircuitBreaker.Permit? permit = null;
        if (deadline <= now || (_breaker is not null && !TryAcquire(startedAt, out permit)))
            return ProcessSlowAsync(record, call, span, stopping, yielding, started: null);

        // An async method restores the caller's ExecutionContext when it returns; this call is not inside one,
        // so it does the same: whatever the handler's synchronous part sets (Activity.Current, an AsyncLocal)
        // must not stay on the keyed consumer's thread.
        var context = ExecutionContext.Capture();
        var started = Start(record, call, new CallInfo(1, deadline), permit, startedAt);
        if (context is not null && !ReferenceEquals(ExecutionContext.Capture(), context)) ExecutionContext.Restore(context);
        if (!started.Task.IsCompletedSuccessfully)
            return ProcessSlowAsync(record, call, span, stopping, yielding, started);
        call.Reset();
        var endedAt = Stopwatch.GetTimestamp();
        _counters.HandlerCalled(started.StartedAt, endedAt, failed: false, timedOut: false);
        if (permit is { } p)
        {
            if (_systemClock) _breaker!.Record(p, succeeded: true, endedAt);
            else _breaker!.Record(p, succeeded: true);
        }
        _counters.Latency(record.Message.Timestamp, _time);
        return new ValueTask<RecordOutcome>(HandledAtFirstAttempt);
    }

    private static readonly RecordOutcome HandledAtFirstAttempt = new(RecordOutcomeKind.Handled, 1, null, null);

    private bool TryAcquire(long startedAt, out CircuitBreaker.Permit? permit)
    {
        CircuitBreaker.Permit p;
        var acquired = _systemClock ? _breaker!.TryAcquire(startedAt, out p) : _breaker!.TryAcquire(out p);
        permit = acquired ? p : null;
        return acquired;
    }

    /// <summary>
    /// <see cref="ProcessAsync"/> for everything but a first attempt that completes at once; <paramref name="started"/>
    /// is the first attempt's call when <see cref="ProcessAsync"/> already made it.
    /// </summary>
    private async ValueTask<RecordOutcome> ProcessSlowAsync(ConsumeResult<byte[], byte[]> record, CallDeadline call,
        Activity? span, CancellationToken stopping, CancellationToken yielding, StartedCall? started)
    {
        // Set inside this async method, so the caller's (the actor thread's) current activity is untouched.
        if (span is not null) Activity.Current = span;
        var deadline = HeaderDeadline(record);
        var first = started is { } s
            ? await FinishAsync(s, call, stopping).ConfigureAwait(false)
            : await AttemptAsync(record, call, deadline, attempt: 1, stopping, yielding).ConfigureAwait(false);
        if (first.Kind == AttemptKind.Succeeded) _counters.Latency(record.Message.Timestamp, _time);
        if (first.Kind != AttemptKind.Failed) return first.ToOutcome(attempts: 1);
        if (first.Expired) return first.ToOutcome(attempts: 0); // its deadline had passed: never called

        // Polly runs the retries: its first execution replays this failed attempt, so the backoff and the
        // retry count apply from the second call on, exactly as if Polly had made the first call too.
        var state = new RetryState(this, record, call, deadline, span, stopping, yielding) { Calls = 1, Replay = first };
        if (!state.MayRetry(first)) return first.ToOutcome(state.Calls);
        if (yielding.IsCancellationRequested) return Attempt.Yielded.ToOutcome(state.Calls);
        // The backoff ends early when the partition hands off (Polly's delays take the context's token); the
        // calls themselves take the stopping token alone (RetryAttemptAsync).
        using var backoff = yielding.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(stopping, yielding) : null;
        var context = ResilienceContextPool.Shared.Get(backoff?.Token ?? stopping);
        context.Properties.Set(StateKey, state);
        try
        {
            var last = await _retry.ExecuteAsync(
                static (_, s) => s.Pipeline.RetryAttemptAsync(s), context, state).ConfigureAwait(false);
            if (last.Kind == AttemptKind.Succeeded) _counters.Latency(record.Message.Timestamp, _time);
            if (last.Kind == AttemptKind.Failed && state.MayRetry(last) && yielding.IsCancellationRequested)
                return Attempt.Yielded.ToOutcome(state.Calls); // not retried only because the partition hands off
            return last.ToOutcome(state.Calls);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return new RecordOutcome(RecordOutcomeKind.Stopped, state.Calls, null, null);
        }
        catch (OperationCanceledException) when (yielding.IsCancellationRequested)
        {
            return Attempt.Yielded.ToOutcome(state.Calls);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<Attempt> RetryAttemptAsync(RetryState state)
    {
        if (state.Replay is { } replay)
        {
            state.Replay = null;
            return replay;
        }
        state.Calls++;
        return await AttemptAsync(state.Record, state.Call, state.HeaderDeadline, state.Calls, state.Stopping, state.Yielding).ConfigureAwait(false);
    }

    private static bool ShouldRetry(ResilienceContext context, Attempt attempt) =>
        attempt.Kind == AttemptKind.Failed && context.Properties.GetValue(StateKey, null!) is { } state && state.MayRetry(attempt)
        && !state.Yielding.IsCancellationRequested;

    /// <summary>A call's deadline: <see cref="ConsumerSettings.HandlerTimeout"/> from <paramref name="now"/>, or the record's own if earlier.</summary>
    private DateTimeOffset DeadlineOf(DateTimeOffset now, DateTimeOffset? headerDeadline)
    {
        var deadline = now + _settings.HandlerTimeout;
        return headerDeadline is { } h && h < deadline ? h : deadline;
    }

    /// <summary>One handler call, after the limits and the breaker let it through.</summary>
    private async ValueTask<Attempt> AttemptAsync(ConsumeResult<byte[], byte[]> record, CallDeadline call,
        DateTimeOffset? headerDeadline, int attempt, CancellationToken stopping, CancellationToken yielding)
    {
        var now = _time.GetUtcNow();
        var deadline = DeadlineOf(now, headerDeadline);
        if (deadline <= now)
            return Attempt.Failure(new TimeoutException($"The record's deadline {deadline:O} has passed."), timedOut: true, expired: true);

        RateLimitLease? rate = null, concurrency = null;
        try
        {
            rate = await AcquireAsync(_rate, stopping).ConfigureAwait(false);
            concurrency = await AcquireAsync(_concurrency, stopping).ConfigureAwait(false);
            var (entered, permit) = await EnterBreakerAsync(stopping, yielding).ConfigureAwait(false);
            if (!entered) return Attempt.Yielded;
            return await FinishAsync(Start(record, call, new CallInfo(attempt, deadline), permit), call, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return Attempt.Stopped;
        }
        finally
        {
            rate?.Dispose();
            concurrency?.Dispose();
        }
    }

    /// <summary>Calls the handler; what it throws at once comes back in the task, as if it had thrown later.</summary>
    private StartedCall Start(ConsumeResult<byte[], byte[]> record, CallDeadline call, CallInfo info, CircuitBreaker.Permit? permit,
        long startedAt = 0)
    {
        if (startedAt == 0) startedAt = Stopwatch.GetTimestamp();
        Task task;
        try
        {
            task = _handler.HandleAsync(record, info, call.Token);
        }
        catch (Exception e)
        {
            task = Task.FromException(e);
        }
        return new StartedCall(task, info, startedAt, permit);
    }

    /// <summary>Waits for a started handler call (its token fires at its deadline), and reports it to the breaker.</summary>
    private async ValueTask<Attempt> FinishAsync(StartedCall started, CallDeadline call, CancellationToken stopping)
    {
        var result = await OutcomeAsync(started, call, stopping).ConfigureAwait(false);
        if (started.Permit is { } p && result.Kind != AttemptKind.Stopped)
            _breaker!.Record(p, succeeded: result.Kind != AttemptKind.Failed);
        return result;
    }

    private async ValueTask<Attempt> OutcomeAsync(StartedCall started, CallDeadline call, CancellationToken stopping)
    {
        var deadline = started.Info.Deadline;
        try
        {
            if (!started.Task.IsCompleted) call.Arm(deadline, _time);
            await started.Task.ConfigureAwait(false); // rethrows its exception, if any
            _counters.HandlerCalled(started.StartedAt, failed: false, timedOut: false);
            return Attempt.Success;
        }
        catch (PoisonRecordException poison)
        {
            return Attempt.Poison(poison);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return Attempt.Stopped;
        }
        catch (Exception e)
        {
            var timedOut = call.TimedOut;
            _counters.HandlerCalled(started.StartedAt, failed: true, timedOut);
            _counters.Failed();
            if (timedOut) _counters.TimedOut();
            return Attempt.Failure(timedOut ? new TimeoutException($"The handler did not finish by its deadline {deadline:O}.", e) : e,
                timedOut, expired: false);
        }
        finally
        {
            call.Reset();
        }
    }

    private static async ValueTask<RateLimitLease?> AcquireAsync(RateLimiter? limiter, CancellationToken stopping)
    {
        if (limiter is null) return null;
        var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        while (true)
        {
            lease = await limiter.AcquireAsync(1, stopping).ConfigureAwait(false);
            if (lease.IsAcquired) return lease;
            lease.Dispose(); // the wait queue was full: wait again rather than drop
            await Task.Delay(TimeSpan.FromMilliseconds(10), stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits while the breaker refuses calls; returns the permit (null when there is no breaker), or not
    /// entered when <paramref name="yielding"/> fired while refused.
    /// </summary>
    private async ValueTask<(bool Entered, CircuitBreaker.Permit? Permit)> EnterBreakerAsync(CancellationToken stopping, CancellationToken yielding)
    {
        if (_breaker is null) return (true, null);
        CancellationTokenSource? wake = null; // only once refused: the wait also ends when the partition hands off
        try
        {
            while (true)
            {
                var changed = _breaker.Changed; // taken first, so no transition after the refusal is missed
                if (_breaker.TryAcquire(out var permit)) return (true, permit);
                if (yielding.IsCancellationRequested) return (false, null);
                var token = yielding.CanBeCanceled ? (wake ??= CancellationTokenSource.CreateLinkedTokenSource(stopping, yielding)).Token : stopping;
                if (_breaker.HalfOpensAt is { } at && at > _time.GetUtcNow())
                    await Task.WhenAny(changed, Task.Delay(at - _time.GetUtcNow(), _time, token)).ConfigureAwait(false);
                else
                    await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(100), _time, token)).ConfigureAwait(false);
                stopping.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            wake?.Dispose();
        }
    }

    private static DateTimeOffset? HeaderDeadline(ConsumeResult<byte[], byte[]> record)
    {
        var headers = record.Message.Headers;
        if (headers is not { Count: > 0 } || !headers.TryGetLastBytes(DeadlineHeader, out var bytes) || bytes is null) return null;
        return long.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
    }

    private enum AttemptKind { Succeeded, Failed, Poison, Stopped, Yielded }

    /// <summary>A handler call under way: its task, attempt and deadline, when it started (<see cref="Stopwatch.GetTimestamp"/>), and its breaker permit.</summary>
    private readonly record struct StartedCall(Task Task, CallInfo Info, long StartedAt, CircuitBreaker.Permit? Permit);

    /// <summary>How one handler call ended.</summary>
    private readonly record struct Attempt(AttemptKind Kind, Exception? Error, bool TimedOut, bool Expired, string? PoisonReason)
    {
        public static readonly Attempt Success = new(AttemptKind.Succeeded, null, false, false, null);
        public static readonly Attempt Stopped = new(AttemptKind.Stopped, null, false, false, null);
        public static readonly Attempt Yielded = new(AttemptKind.Yielded, null, false, false, null);

        public static Attempt Failure(Exception error, bool timedOut, bool expired) =>
            new(AttemptKind.Failed, error, timedOut, expired, null);

        public static Attempt Poison(PoisonRecordException poison) =>
            new(AttemptKind.Poison, poison.InnerException ?? poison, false, false, poison.Reason);

        public RecordOutcome ToOutcome(int attempts) => Kind switch
        {
            AttemptKind.Succeeded => new RecordOutcome(RecordOutcomeKind.Handled, attempts, null, null),
            AttemptKind.Stopped => new RecordOutcome(RecordOutcomeKind.Stopped, attempts, null, null),
            AttemptKind.Yielded => new RecordOutcome(RecordOutcomeKind.Yielded, attempts, null, null),
            AttemptKind.Poison => new RecordOutcome(RecordOutcomeKind.DeadLetter, 0, PoisonReason, Error),
            _ => new RecordOutcome(RecordOutcomeKind.DeadLetter, attempts, TimedOut ? "timeout" : "handler", Error),
        };
    }

    /// <summary>
    /// A record's retries: its handler calls so far. While the breaker is Open no call is made, so an outage
    /// costs a record only the trial calls it happens to make in Half-open, not its attempts.
    /// </summary>
    private sealed class RetryState(RecordPipeline pipeline, ConsumeResult<byte[], byte[]> record, CallDeadline call,
        DateTimeOffset? headerDeadline, Activity? span, CancellationToken stopping, CancellationToken yielding)
    {
        /// <summary>The record's span, or null when it is not traced.</summary>
        public Activity? Span { get; } = span;

        public RecordPipeline Pipeline { get; } = pipeline;
        public ConsumeResult<byte[], byte[]> Record { get; } = record;
        public CallDeadline Call { get; } = call;
        public DateTimeOffset? HeaderDeadline { get; } = headerDeadline;
        public CancellationToken Stopping { get; } = stopping;
        public CancellationToken Yielding { get; } = yielding;
        public int Calls;

        /// <summary>The first attempt's result, for Polly's first execution to return.</summary>
        public Attempt? Replay;

        /// <summary>Whether another call may follow the failed <paramref name="attempt"/>.</summary>
        public bool MayRetry(Attempt attempt) => !attempt.Expired && Calls < Pipeline._settings.MaxAttempts;
    }
}
