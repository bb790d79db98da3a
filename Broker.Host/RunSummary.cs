using System.Text.Json;
using Broker.Inspection;
using OrderProcessing;

namespace Broker.Host;

/// <summary>
/// A snapshot of a run: what the live view shows and, at exit, what <c>--summary-json</c> writes.
/// Scripts read the JSON, so its property names (camelCase) stay stable. The totals count what this node
/// did; in a cluster each node reports its own share.
/// </summary>
internal sealed record RunSummary(
    double ElapsedSeconds,
    string BootstrapServers,
    bool EmbeddedKafka,
    string Node,
    string Address,
    string? Zone,
    long Produced,
    long ProducedPoison,
    long Consumed,
    long Handled,
    long Failed,
    long DeadLettered,
    long Retried,
    long TimedOut,
    long Skipped,
    int BreakerOpened,
    string BreakerState,
    long OutOfOrder,
    int InFlight,
    long Lag,
    bool RecordsDroppedByEmbeddedKafka,
    int PausedPartitions,
    int LiveKeys,
    bool MemoryGuardPaused,
    int MemoryGuardTrips,
    long HeapMiB,
    long WorkingSetMiB,
    long PeakWorkingSetMiB,
    IReadOnlyList<int> AssignedPartitions,
    IReadOnlyList<PartitionSummary> Partitions,
    long HandledInHomeZone,
    long HandledOutsideHomeZone,
    IReadOnlyList<ZoneSummary> Zones)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Reads the node's status and the sample's stats now. The assigned partitions are those this node consumes
    /// now, or <paramref name="assignedAtStop"/> when given (a stopped node holds none, so the final summary
    /// passes the ones it held when it began to stop). Lag counts only the assigned partitions: for a
    /// partition that moved to another node, the committed offset this node last saw is stale. The zones are
    /// those published now, or <paramref name="zonesAtStop"/> when given.
    /// </summary>
    public static RunSummary Capture(TimeSpan elapsed, BrokerStatus status, OrderStats stats, long produced, long producedPoison,
        NodeIdentity node, IReadOnlyList<int>? assignedAtStop = null, IReadOnlyList<ZoneSummary>? zonesAtStop = null)
    {
        // BootstrapServers first: it is what starts the embedded Kafka that UsesEmbeddedKafka looks for.
        var bootstrap = status.BootstrapServers;
        var embedded = status.UsesEmbeddedKafka;
        var consumers = status.Consumers;
        var partitions = consumers.SelectMany(c => c.Partitions).OrderBy(p => p.Partition).ToArray();
        var assigned = assignedAtStop ?? partitions.Where(p => p.Assigned).Select(p => p.Partition).Distinct().ToArray();
        var memory = status.Memory;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new RunSummary(
            Math.Round(elapsed.TotalSeconds, 1),
            bootstrap,
            embedded,
            node.Name,
            node.Address,
            node.Zone,
            produced,
            producedPoison,
            consumers.Sum(c => c.Consumed),
            consumers.Sum(c => c.Handled),
            consumers.Sum(c => c.Failed),
            consumers.Sum(c => c.DeadLettered),
            consumers.Sum(c => c.Retried),
            consumers.Sum(c => c.TimedOut),
            consumers.Sum(c => c.Skipped),
            consumers.Sum(c => c.BreakerOpened),
            WorstBreakerState(consumers),
            stats.OutOfOrder,
            consumers.Sum(c => c.InFlight),
            partitions.Where(p => assigned.Contains(p.Partition)).Sum(p => p.Lag ?? 0),
            // The mock keeps 5 MiB per partition and drops the oldest silently; nothing else moves its low watermark.
            embedded && partitions.Any(p => p.LowWatermark > 0),
            partitions.Count(p => p.Paused),
            consumers.Sum(c => c.LiveKeys),
            memory.Paused,
            memory.Trips,
            memory.HeapBytes >> 20,
            process.WorkingSet64 >> 20,
            process.PeakWorkingSet64 >> 20,
            assigned,
            partitions.Select(PartitionSummary.From).ToArray(),
            consumers.Sum(c => c.HandledInHomeZone),
            consumers.Sum(c => c.HandledOutsideHomeZone),
            zonesAtStop ?? status.Zones.Select(ZoneSummary.From).ToArray());
    }

    /// <summary>The least healthy breaker state among the consumers (Open, then Half-open, then Closed), as text.</summary>
    private static string WorstBreakerState(IReadOnlyList<ConsumerStatus> consumers) =>
        consumers.Select(c => c.Breaker)
            .OrderByDescending(state => state switch { Resilience.BreakerState.Open => 2, Resilience.BreakerState.HalfOpen => 1, _ => 0 })
            .FirstOrDefault(Resilience.BreakerState.Closed)
            .ToString();

    /// <summary>Writes this summary as indented camelCase JSON to <paramref name="path"/>.</summary>
    public Task WriteJsonAsync(string path) => File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json) + Environment.NewLine);
}
