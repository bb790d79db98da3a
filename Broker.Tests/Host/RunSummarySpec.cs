using System.Text.Json;
using Broker.Host;

namespace Broker.Tests.Host;

/// <summary>The <c>--summary-json</c> file scripts read: its field names stay, and the zones are in it.</summary>
public sealed class RunSummarySpec
{
    [Fact]
    public async Task The_summary_json_keeps_its_fields_and_adds_the_in_zone_counts_and_the_zones_as_last_seen()
    {
        var since = new DateTimeOffset(2026, 11, 29, 22, 12, 38, 495, TimeSpan.Zero);
        var summary = new RunSummary(10, "127.0.0.1:9092", true, "n1", "akka.tcp://broker@127.0.0.1:4053", "a", 100, 0, 100, 95, 0, 0, 0, 0, 0,
            0, "Closed", 0, 0, 5, false, 0, 10, false, 0, 10, 100, 120, [0, 1], [new PartitionSummary(0, 50, 52, 0, 2, 0, false)],
            80, 15,
            [
                new ZoneSummary("orders", "a", "Draining", since, 31.3, ["akka.tcp://broker@127.0.0.1:4053"], 6, 2),
                new ZoneSummary("orders", null, "Healthy", since, 100, ["akka.tcp://broker@127.0.0.1:4055"], 6, 10),
            ]);
        var path = Path.Combine(Path.GetTempPath(), $"broker-summary-{Guid.NewGuid():N}.json");

        await summary.WriteJsonAsync(path);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        File.Delete(path);
        var root = json.RootElement;
        Assert.Equal(
        [
            "elapsedSeconds", "bootstrapServers", "embeddedKafka", "node", "address", "zone", "produced", "producedPoison", "consumed", "handled",
            "failed", "deadLettered", "retried", "timedOut", "skipped", "breakerOpened", "breakerState", "outOfOrder", "inFlight", "lag",
            "recordsDroppedByEmbeddedKafka", "pausedPartitions", "liveKeys", "memoryGuardPaused", "memoryGuardTrips", "heapMiB", "workingSetMiB",
            "peakWorkingSetMiB", "assignedPartitions", "partitions", "handledInHomeZone", "handledOutsideHomeZone", "zones",
        ], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal((80, 15), (root.GetProperty("handledInHomeZone").GetInt64(), root.GetProperty("handledOutsideHomeZone").GetInt64()));
        var zones = root.GetProperty("zones").EnumerateArray().ToArray();
        Assert.Equal(["consumer", "zone", "state", "since", "score", "nodes", "shardsHomed", "shardsHosted"], zones[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(("orders", "a", "Draining", 31.3, 6, 2), (zones[0].GetProperty("consumer").GetString(), zones[0].GetProperty("zone").GetString(),
            zones[0].GetProperty("state").GetString(), zones[0].GetProperty("score").GetDouble(), zones[0].GetProperty("shardsHomed").GetInt32(),
            zones[0].GetProperty("shardsHosted").GetInt32()));
        Assert.Equal(since, zones[0].GetProperty("since").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, zones[1].GetProperty("zone").ValueKind); // the implicit zone, as the summary's own "zone"
    }
}
