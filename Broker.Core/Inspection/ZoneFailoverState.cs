namespace Broker.Inspection;

/// <summary>Where a zone stands in zone failover (<c>broker.zone-failover</c>), as its shard coordinator published it.</summary>
public enum ZoneFailoverState
{
    /// <summary>The zone hosts its home partitions.</summary>
    Healthy,

    /// <summary>Its health score stayed below <c>failover-threshold</c> for <c>failover-after</c>: its partitions are moving to another zone.</summary>
    Draining,

    /// <summary>Drained: it hosts no partition, and gets none until it recovers.</summary>
    Failed,

    /// <summary>Its score stayed at or above <c>recovery-threshold</c> for <c>recover-after</c>: its home partitions are coming back, a few at a time.</summary>
    Recovering,
}
