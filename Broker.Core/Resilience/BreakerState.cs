namespace Broker.Resilience;

/// <summary>The state of a consumer's circuit breaker on one node.</summary>
public enum BreakerState
{
    /// <summary>Handler calls run; outcomes are measured.</summary>
    Closed,

    /// <summary>Too many recent calls failed or were slow: no handler is called, partitions pause, records wait.</summary>
    Open,

    /// <summary>The open time elapsed: a few trial calls run; their outcome closes or re-opens the breaker.</summary>
    HalfOpen,
}
