namespace Broker.Zones.Internal;

/// <summary>Where a zone stands in failover; see <see cref="ZoneFailover"/>.</summary>
internal enum ZoneState
{
    /// <summary>Hosts its home partitions.</summary>
    Healthy,

    /// <summary>Its score stayed below the failover threshold: its partitions are moving to another zone.</summary>
    Draining,

    /// <summary>Drained: it hosts no partition, and gets none until it recovers.</summary>
    Failed,

    /// <summary>Its score stayed above the recovery threshold: its home partitions are coming back, a few at a time.</summary>
    Recovering,
}
