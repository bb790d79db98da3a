using System.Net;
using Broker.Hosting.Internal;
using Broker.Inspection.Internal;

namespace Broker.Inspection;

/// <summary>
/// What this node is doing, read from its live state: the Kafka it uses and each consumer's totals and
/// partitions. Registered by <c>AddBroker</c>; resolve it from DI. Thread-safe.
/// </summary>
public sealed class BrokerStatus
{
    private readonly BrokerRuntime _runtime;
    private readonly InspectionHost _inspection;

    internal BrokerStatus(BrokerRuntime runtime, InspectionHost inspection)
    {
        _runtime = runtime;
        _inspection = inspection;
    }

    /// <summary>
    /// Where this node serves inspection commands (<c>Broker:Inspection</c>; the bound port when configured with 0),
    /// or null when inspection is disabled or the host has not started.
    /// </summary>
    public IPEndPoint? InspectionEndpoint => _inspection.Endpoint;

    /// <summary>The bootstrap servers this node uses (the embedded Kafka's <c>127.0.0.1:PORT,...</c> when none are configured).</summary>
    public string BootstrapServers => _runtime.Kafka.BootstrapServers;

    /// <summary>True when this node runs the embedded Kafka.</summary>
    public bool UsesEmbeddedKafka => _runtime.Kafka.UsesEmbeddedKafka;

    /// <summary>The memory guard: heap size, limits, and whether it holds the partitions paused.</summary>
    public MemoryStatus Memory
    {
        get
        {
            var guard = _runtime.Memory;
            return new MemoryStatus(guard.HeapBytes, guard.PauseAboveBytes, guard.ResumeBelowBytes, guard.Tripped, guard.Trips);
        }
    }

    /// <summary>Every consumer on this node (empty until the ActorSystem has started).</summary>
    public IReadOnlyList<ConsumerStatus> Consumers => _runtime.Consumers.Select(c => c.Status()).ToArray();

    /// <summary>
    /// Each consumer's zones (health score, failover state, shards homed and hosted) as its shard coordinator last
    /// published them and this node received them, ordered by consumer then zone; empty until Broker has started and
    /// the first publication has arrived. The same cluster-wide figures on every node.
    /// </summary>
    public IReadOnlyList<ZonePlacementStatus> Zones =>
        _runtime.Zones is { } view ? view.Zones.Select(ZonePlacementStatus.From).ToArray() : [];
}
