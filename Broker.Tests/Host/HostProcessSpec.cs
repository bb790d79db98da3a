using System.Text.Json;
using Broker.Tests.Support;

namespace Broker.Tests.Host;

/// <summary>Broker.Host as an operator runs it: a process, its exit code, its output and its summary file.</summary>
/// <remarks>
/// Not on the shared embedded Kafka (each node process starts its own), but in its collection all the same:
/// these tests run up to two nodes at once, and take their turn with the other node tests rather than slow
/// a cluster test down beside them.
/// </remarks>
[Collection(KafkaCollection.Name)]
public sealed class HostProcessSpec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_timed_run_on_embedded_defaults_exits_0_and_accounts_for_every_record_poison_included()
    {
        var summaryPath = Path.Combine(Path.GetTempPath(), $"broker-summary-{Guid.NewGuid():N}.json");
        var run = await RunAsync(["--duration", "8", "--rate", "500", "--demo-poison", "0.1", "--summary-json", summaryPath]);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}\n{run.Output}");
        Assert.Contains("Kafka bootstrap: 127.0.0.1:", run.Output);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
        var root = summary.RootElement;
        var produced = root.GetProperty("produced").GetInt64();
        var handled = root.GetProperty("handled").GetInt64();
        Assert.True(produced > 0 && handled > 0, run.Output);
        // Drained and committed at exit: every record produced is handled, dead-lettered or still waiting in Kafka.
        var deadLettered = root.GetProperty("deadLettered").GetInt64();
        Assert.Equal(produced, handled + deadLettered + root.GetProperty("lag").GetInt64());
        // Only the poison records are dead letters, and they never reach the handler, so never trip the breaker.
        Assert.InRange(deadLettered, 1, root.GetProperty("producedPoison").GetInt64());
        Assert.Equal(0, root.GetProperty("retried").GetInt64());
        Assert.Equal(0, root.GetProperty("breakerOpened").GetInt32());
        Assert.Equal("Closed", root.GetProperty("breakerState").GetString());
        Assert.Equal(0, root.GetProperty("outOfOrder").GetInt64());
        Assert.False(root.GetProperty("recordsDroppedByEmbeddedKafka").GetBoolean());
        Assert.Equal(12, root.GetProperty("partitions").GetArrayLength());
        File.Delete(summaryPath);
    }

    [Fact]
    public async Task A_bad_setting_stops_start_up_with_exit_code_2_naming_the_key()
    {
        var run = await RunAsync(["--duration", "5"], ("Broker__Consumer__MaxInFlightPerKey", "0"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Broker:Consumer:MaxInFlightPerKey = '0'", run.Output);
        Assert.Contains("Fix:", run.Output);
        Assert.DoesNotContain("Kafka bootstrap", run.Output);
    }

    [Fact]
    public async Task Bad_cluster_flags_stop_start_up_with_exit_code_2_naming_each_key_value_and_fix()
    {
        var run = await RunAsync(["--duration", "5", "--port", "70000", "--seed", "localhost:4053", "--zone", "zone a"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Broker:Cluster:Port = '70000': must be between 0 and 65535", run.Output);
        Assert.Contains("Broker:Cluster:SeedNodes:0 = 'localhost:4053': not an Akka address. Fix: write akka.tcp://", run.Output);
        Assert.Contains("Broker:Cluster:Zone = 'zone a'", run.Output);
        Assert.Equal(3, run.Output.Split('\n').Count(l => l.Contains("Fix:")));
        Assert.DoesNotContain("Kafka bootstrap", run.Output);
    }

    [Fact]
    public async Task The_summary_names_the_node_its_zone_address_and_partitions_and_counts_skipped_records()
    {
        var summaryPath = Path.Combine(Path.GetTempPath(), $"broker-summary-{Guid.NewGuid():N}.json");
        await using var node = HostNodeProcess.Start(["--rate", "50", "--node-name", "n1", "--zone", "a", "--weight", "2",
            "--inspection-port", "0", "--summary-json", summaryPath, "--demo-outage", "60", "--demo-outage-zone", "b"], FreshWatermarkDatabase());

        var identity = await node.LineAsync(l => l.StartsWith("Node: "), Timeout, "the node prints its name and address");
        Assert.Matches(@"^Node: n1 in zone a at akka\.tcp://broker@127\.0\.0\.1:\d+$", identity);
        await node.LineAsync(l => l == "Demo outage: only the nodes of zone b fail; this node is in zone a, its downstream stays up.", Timeout,
            "the node says the outage of zone b is not its own");
        await node.LineAsync(l => l.StartsWith("elapsed") && l.EndsWith("node n1  partitions 0-11"), Timeout, "the progress line shows every partition held");
        Assert.Equal(0, await node.TerminateAsync(Timeout));

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
        var root = summary.RootElement;
        Assert.Equal("n1", root.GetProperty("node").GetString());
        Assert.Equal("a", root.GetProperty("zone").GetString());
        Assert.Equal(identity[(identity.IndexOf("akka.tcp://", StringComparison.Ordinal))..], root.GetProperty("address").GetString());
        // The partitions it held when it began to stop; its records were all new, so none was skipped.
        Assert.Equal(Enumerable.Range(0, 12), root.GetProperty("assignedPartitions").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(0, root.GetProperty("skipped").GetInt64());
        // Zone b's outage is not this node's: nothing failed. Its zones are as it last saw them (none before a publication).
        Assert.Equal(0, root.GetProperty("failed").GetInt64());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("zones").ValueKind);
        Assert.InRange(root.GetProperty("handledInHomeZone").GetInt64() + root.GetProperty("handledOutsideHomeZone").GetInt64(),
            0, root.GetProperty("handled").GetInt64());
        File.Delete(summaryPath);
    }

    [Fact]
    public async Task The_demo_outage_zone_flag_needs_an_outage_and_a_zone_name_else_exit_code_1_naming_it()
    {
        var alone = await RunAsync(["--duration", "5", "--demo-outage-zone", "a"]);
        var badName = await RunAsync(["--duration", "5", "--demo-outage", "30", "--demo-outage-zone", "zone a"]);

        Assert.Equal(1, alone.ExitCode);
        Assert.Contains("--demo-outage-zone a needs --demo-outage SECONDS", alone.Output);
        Assert.Equal(1, badName.ExitCode);
        Assert.Contains("--demo-outage-zone 'zone a' is not a zone name", badName.Output);
        Assert.All(new[] { alone.Output, badName.Output }, o => Assert.DoesNotContain("Kafka bootstrap", o));
    }

    [Fact]
    public async Task A_second_node_joins_with_seed_and_bootstrap_takes_partitions_and_hands_them_back_on_SIGTERM_with_every_record_handled_once()
    {
        var n1Summary = Path.Combine(Path.GetTempPath(), $"broker-n1-{Guid.NewGuid():N}.json");
        var n2Summary = Path.Combine(Path.GetTempPath(), $"broker-n2-{Guid.NewGuid():N}.json");
        // Both nodes share one watermark database, as nodes on one machine share broker.db.
        var environment = FreshWatermarkDatabase();
        await using var n1 = HostNodeProcess.Start(["--port", "0", "--node-name", "n1", "--zone", "a", "--inspection-port", "0",
            "--rate", "100", "--summary-json", n1Summary], environment);
        var node = await n1.LineAsync(l => l.StartsWith("Node: "), Timeout, "node 1 prints its address");
        var seed = node[(node.IndexOf("akka.tcp://", StringComparison.Ordinal))..].Trim();
        var kafkaLine = await n1.LineAsync(l => l.StartsWith("Kafka bootstrap: "), Timeout, "node 1 prints its Kafka");
        var bootstrap = kafkaLine["Kafka bootstrap: ".Length..].Trim();

        await using var n2 = HostNodeProcess.Start(["--port", "0", "--seed", seed, "--bootstrap", bootstrap, "--node-name", "n2",
            "--zone", "b", "--inspection-port", "0", "--summary-json", n2Summary], environment);
        await n2.LineAsync(l => l.StartsWith("elapsed") && !l.Contains("  handled 0  ") && !l.EndsWith("partitions none"), Timeout,
            "node 2 takes partitions and handles records");

        var n1Lines = n1.LineCount;
        Assert.Equal(0, await n2.TerminateAsync(Timeout));
        // Node 1 takes node 2's partitions back: it holds all 12 again.
        await n1.LineAsync(l => l.StartsWith("elapsed") && l.EndsWith("node n1  partitions 0-11"), Timeout, "node 1 holds every partition again", n1Lines);
        Assert.Equal(0, await n1.TerminateAsync(Timeout));

        using var first = JsonDocument.Parse(await File.ReadAllTextAsync(n1Summary));
        using var second = JsonDocument.Parse(await File.ReadAllTextAsync(n2Summary));
        var r1 = first.RootElement;
        var r2 = second.RootElement;
        Assert.Equal("n2", r2.GetProperty("node").GetString());
        Assert.Equal("b", r2.GetProperty("zone").GetString());
        Assert.False(r2.GetProperty("embeddedKafka").GetBoolean());
        Assert.Equal(0, r2.GetProperty("produced").GetInt64()); // only the node that runs the embedded Kafka produces
        Assert.NotEmpty(r2.GetProperty("assignedPartitions").EnumerateArray());
        var handledByN2 = r2.GetProperty("handled").GetInt64();
        Assert.True(handledByN2 > 0, n2.Output);
        // Graceful moves re-run nothing and lose nothing: every record produced was handled exactly once, on one
        // node or the other, or still waits in Kafka (node 1 drained at once on SIGTERM) as node 1's lag.
        // (A record finished after the leaving node's last commit comes back to the new owner and is skipped by
        // its watermark, not run again: the count below holds either way.)
        Assert.Equal(r1.GetProperty("produced").GetInt64(),
            r1.GetProperty("handled").GetInt64() + handledByN2 + r1.GetProperty("lag").GetInt64());
        Assert.Equal(0, r1.GetProperty("outOfOrder").GetInt64() + r2.GetProperty("outOfOrder").GetInt64());
        File.Delete(n1Summary);
        File.Delete(n2Summary);
    }

    /// <summary>A watermark database of its own, so no earlier run's watermarks are in play.</summary>
    private static Dictionary<string, string> FreshWatermarkDatabase() => new()
    {
        ["Broker__Persistence__ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"broker-host-{Guid.NewGuid():N}.db")}",
    };

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        // Any free inspection port, so a node someone runs on this machine (default port 9110) does not fail the test.
        var run = await HostProcess.RunAsync(args, [("Broker__Inspection__Port", "0"), .. environment]);
        return (run.ExitCode, run.Stdout + run.Stderr);
    }
}
