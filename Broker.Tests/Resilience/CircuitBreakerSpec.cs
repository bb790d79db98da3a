using Broker.Resilience;
using Broker.Resilience.Internal;
using Broker.Tests.Support;

namespace Broker.Tests.Resilience;

public sealed class CircuitBreakerSpec
{
    private readonly ManualTimeProvider _clock = new();

    private CircuitBreaker Breaker(int windowCalls = 10, int minimumCalls = 4, double failureRate = 0.5, double slowRate = 1.0,
        int trials = 2, int windowSeconds = 60) =>
        new(new CircuitBreakerSettings(windowCalls, TimeSpan.FromSeconds(windowSeconds), minimumCalls, failureRate,
            TimeSpan.FromSeconds(2), slowRate, TimeSpan.FromSeconds(5), trials), _clock);

    private void Call(CircuitBreaker breaker, bool succeeds, TimeSpan? takes = null)
    {
        Assert.True(breaker.TryAcquire(out var permit), $"a call was refused in state {breaker.State}");
        if (takes is { } t) _clock.Advance(t);
        breaker.Record(permit, succeeds);
    }

    [Fact]
    public void Stays_closed_below_the_minimum_number_of_calls_even_if_all_fail()
    {
        var breaker = Breaker(minimumCalls: 4);
        for (var i = 0; i < 3; i++) Call(breaker, succeeds: false);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void Opens_at_the_failure_rate_threshold_and_refuses_every_call_while_open()
    {
        var breaker = Breaker(minimumCalls: 4, failureRate: 0.5);
        Call(breaker, true);
        Call(breaker, true);
        Call(breaker, false);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Call(breaker, false); // 2 of 4 failed: 50%
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, breaker.Opened);
        Assert.False(breaker.TryAcquire(out _));
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void Half_opens_after_the_open_time_lets_only_the_trial_calls_through_and_closes_when_they_succeed()
    {
        var breaker = Breaker(minimumCalls: 2, trials: 2);
        Call(breaker, false);
        Call(breaker, false);
        var transitions = new List<(BreakerState, BreakerState)>();
        breaker.Transitioned += (from, to) => transitions.Add((from, to));

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire(out var first));
        Assert.True(breaker.TryAcquire(out var second));
        Assert.False(breaker.TryAcquire(out _)); // only two trials
        breaker.Record(first, true);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        breaker.Record(second, true);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal([(BreakerState.Open, BreakerState.HalfOpen), (BreakerState.HalfOpen, BreakerState.Closed)], transitions);
        Call(breaker, false); // the window started empty again: one failure does not reopen it
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void A_failed_trial_reopens_it_for_another_open_time()
    {
        var breaker = Breaker(minimumCalls: 2, trials: 3);
        Call(breaker, false);
        Call(breaker, false);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Call(breaker, false);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, breaker.Opened); // Half-open -> Open is not a new opening
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public void Opens_on_the_slow_call_rate_although_every_call_succeeds()
    {
        var breaker = Breaker(minimumCalls: 4, failureRate: 1.0, slowRate: 0.75);
        Call(breaker, true, TimeSpan.FromSeconds(3));
        Call(breaker, true, TimeSpan.FromSeconds(3));
        Call(breaker, true);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Call(breaker, true, TimeSpan.FromSeconds(2)); // slow: at the slow-call duration
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void The_window_forgets_calls_beyond_its_size_and_its_duration()
    {
        var breaker = Breaker(windowCalls: 4, minimumCalls: 4, failureRate: 0.5, windowSeconds: 10);
        Call(breaker, false);
        for (var i = 0; i < 4; i++) Call(breaker, true); // the failure has been pushed out
        Call(breaker, false);
        Assert.Equal(BreakerState.Closed, breaker.State); // 1 of the last 4

        var timed = Breaker(windowCalls: 100, minimumCalls: 4, failureRate: 0.5, windowSeconds: 10);
        Call(timed, false);
        Call(timed, false);
        _clock.Advance(TimeSpan.FromSeconds(11)); // both failures are now too old
        Call(timed, true);
        Call(timed, false);
        Call(timed, true);
        Assert.Equal(BreakerState.Closed, timed.State); // fewer than 4 calls in the last 10 s
    }
    [Fact]
    public void A_snapshot_gives_the_state_since_its_last_transition_the_rates_of_the_window_and_when_trials_begin()
    {
        var breaker = Breaker(windowCalls: 10, minimumCalls: 4, failureRate: 0.5, trials: 2);
        var started = _clock.GetUtcNow();
        Call(breaker, true);
        Call(breaker, false, takes: TimeSpan.FromSeconds(3)); // failed and slow
        Assert.Equal(new BreakerSnapshot(BreakerState.Closed, started, 2, 0.5, 0.5, 0, null, 0), breaker.Snapshot());

        Call(breaker, true);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Call(breaker, false); // 2 of 4 failed: opens
        var opened = _clock.GetUtcNow();
        Assert.Equal(new BreakerSnapshot(BreakerState.Open, opened, 4, 0.5, 0.25, 1, opened + TimeSpan.FromSeconds(5), 0), breaker.Snapshot());

        _clock.Advance(TimeSpan.FromSeconds(5));
        var halfOpen = breaker.Snapshot(); // reading it moves it on, as reading State does
        Assert.Equal((BreakerState.HalfOpen, _clock.GetUtcNow(), null, 0), (halfOpen.State, halfOpen.Since, halfOpen.HalfOpensAt, halfOpen.TrialCalls));
        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal(1, breaker.Snapshot().TrialCalls);
    }
}
