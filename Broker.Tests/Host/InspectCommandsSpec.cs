using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Broker.Tests.Support;
using Xunit.Abstractions;

namespace Broker.Tests.Host;

/// <summary>Broker.Host as the inspection client: exit codes, usage, tables and JSON, as an operator's shell sees them.</summary>
[Collection(KafkaCollection.Name)]
public sealed class InspectCommandsSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private const string Token = "inspect-commands-spec-token";

    [Fact]
    public async Task An_unknown_command_prints_usage_and_exits_1()
    {
        var run = await HostProcess.RunAsync("no-such-command");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unrecognized command or argument 'no-such-command'", run.Stderr);
        Assert.Contains("Usage:", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task A_bad_argument_prints_the_commands_usage_and_exits_1()
    {
        var run = await HostProcess.RunAsync("dlq", "replay", "orders.dlt", "--count", "-1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--count must be at least 0, not -1.", run.Stderr);
        Assert.Contains("Broker.Host dlq replay <topic> [options]", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task An_unreachable_node_is_one_line_on_stderr_and_exit_code_3()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        } // closed again: nothing listens there now

        var run = await HostProcess.RunAsync("cluster", "show", "--port", port.ToString());

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot reach a Broker node at 127.0.0.1:{port}: ", line);
    }

    [Fact]
    public async Task Against_a_live_node_commands_print_tables_or_json_and_a_missing_token_exits_2()
    {
        var topic = kafka.CreateTopic(2);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output,
            config: new Dictionary<string, string?> { ["Broker:Inspection:Token"] = Token });
        var port = node.Status.InspectionEndpoint!.Port.ToString();
        await Eventually.Until(() => node.Consumer.Partitions.Count(p => p.Assigned) == 2, TimeSpan.FromSeconds(60), () => "both partitions assigned");

        var json = await HostProcess.RunAsync("cluster", "show", "--port", port, "--token", Token, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (var show = JsonDocument.Parse(json.Stdout))
        {
            var member = Assert.Single(show.RootElement.GetProperty("members").EnumerateArray());
            Assert.Equal("Up", member.GetProperty("status").GetString());
            Assert.Equal(show.RootElement.GetProperty("self").GetString(), member.GetProperty("address").GetString());
        }

        var table = await HostProcess.RunAsync("consumers", "--port", port, "--token", Token);
        Assert.True(table.ExitCode == 0, table.Stderr);
        var lines = table.Stdout.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("consumer ") && l.Contains("committed") && l.Contains("paused by"));
        Assert.Equal(2, lines.Count(l => l.StartsWith(topic + " ") && l.Contains(" 1000 "))); // one row per partition, window 1000

        var refused = await HostProcess.RunAsync("consumers", "--port", port);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("error: missing or wrong token", refused.Stderr);
    }
}
