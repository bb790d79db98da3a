namespace Broker.Kafka.Internal;

/// <summary>Why a partition is paused on the Kafka consumer; it resumes when no reason is left.</summary>
[Flags]
internal enum PauseReasons
{
    None = 0,

    /// <summary>Its in-flight window is full.</summary>
    Window = 1,

    /// <summary>The memory guard tripped.</summary>
    Memory = 2,

    /// <summary>The consumer's circuit breaker is Open: records wait in Kafka.</summary>
    Breaker = 4,

    /// <summary>The node is fenced: it may no longer own its partitions (minority side of a split, downed).</summary>
    Fenced = 8,
}
