namespace Broker.Resilience.Internal;

/// <summary>
/// When a consumer's breaker opens and how it recovers (see <c>ConsumerOptions.Breaker</c> for each value's meaning).
/// </summary>
internal sealed record CircuitBreakerSettings(
    int WindowCalls,
    TimeSpan WindowDuration,
    int MinimumCalls,
    double FailureRateThreshold,
    TimeSpan SlowCallDuration,
    double SlowCallRateThreshold,
    TimeSpan OpenDuration,
    int HalfOpenTrialCalls);
