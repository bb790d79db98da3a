using System.Text.Json;
using Broker.Inspection;
using OrderProcessing;

namespace Broker.Host;

/// <summary>
/// A snapshot of a run: what the live view shows and, at exit, what <c>--summary-json</c> writes.
/// Scripts read the JSON, so its property names (camelCase) stay stable.
/// </summary>
internal sealed record RunSummary(
    double ElapsedSeconds,
    string BootstrapServers,
    bool EmbeddedKafka,
    long Produced,
    long Consumed,
    long Handled,
    long Failed,
    long DeadLettered,
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
    IReadOnlyList<PartitionSummary> Partitions)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Reads the node's status and the sample's stats now.</summary>
    public static RunSummary Capture(TimeSpan elapsed, BrokerStatus status, OrderStats stats, long produced)
    {
        // BootstrapServers first: it is what starts the embedded Kafka that UsesEmbeddedKafka looks for.
        var bootstrap = status.BootstrapServers;
        var embedded = status.UsesEmbeddedKafka;
        var consumers = status.Consumers;
        var partitions = consumers.SelectMany(c => c.Partitions).OrderBy(p => p.Partition).ToArray();
        var memory = status.Memory;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new RunSummary(
            Math.Round(elapsed.TotalSeconds, 1),
            bootstrap,
            embedded,
            produced,
            consumers.Sum(c => c.Consumed),
            consumers.Sum(c => c.Handled),
            consumers.Sum(c => c.Failed),
            consumers.Sum(c => c.DeadLettered),
            stats.OutOfOrder,
            consumers.Sum(c => c.InFlight),
            consumers.Sum(c => c.Lag),
            // The mock keeps 5 MiB per partition and drops the oldest silently; nothing else moves its low watermark.
            embedded && partitions.Any(p => p.LowWatermark > 0),
            partitions.Count(p => p.Paused),
            consumers.Sum(c => c.LiveKeys),
            memory.Paused,
            memory.Trips,
            memory.HeapBytes >> 20,
            process.WorkingSet64 >> 20,
            process.PeakWorkingSet64 >> 20,
            partitions.Select(PartitionSummary.From).ToArray());
    }

    /// <summary>Writes this summary as indented camelCase JSON to <paramref name="path"/>.</summary>
    public Task WriteJsonAsync(string path) => File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json) + Environment.NewLine);
}
