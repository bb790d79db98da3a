namespace Broker.Resilience.Internal;

/// <summary>A circuit breaker at one moment (<see cref="CircuitBreaker.Snapshot"/>).</summary>
/// <param name="State">Closed, Open or Half-open.</param>
/// <param name="Since">When it entered <paramref name="State"/> (its last transition; start-up when it never moved), UTC.</param>
/// <param name="Calls">Calls in the sliding window.</param>
/// <param name="FailureRate">Share (0..1) of the window's calls that failed.</param>
/// <param name="SlowCallRate">Share (0..1) of the window's calls that took at least the slow-call duration.</param>
/// <param name="Opened">Closed-to-Open transitions since start-up.</param>
/// <param name="HalfOpensAt">When an Open breaker lets trial calls through; null in the other states.</param>
/// <param name="TrialCalls">Trial calls started in Half-open (0 in the other states).</param>
internal sealed record BreakerSnapshot(
    BreakerState State,
    DateTimeOffset Since,
    int Calls,
    double FailureRate,
    double SlowCallRate,
    int Opened,
    DateTimeOffset? HalfOpensAt,
    int TrialCalls);
