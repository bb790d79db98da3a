using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Broker.Hosting;
using Broker.Inspection;
using Broker.Inspection.Internal;
using Broker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary>The command host as a client meets it: usage errors, the token, start-up checks and its bounds.</summary>
[Collection(KafkaCollection.Name)]
public sealed class InspectionHostSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Token = "s3cret-token-0123456789";

    private Task<TestNode> StartAsync(IDictionary<string, string?>? config = null)
    {
        var topic = kafka.CreateTopic(1);
        return TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output, config: config);
    }

    [Fact]
    public async Task An_unknown_command_or_a_bad_argument_is_refused_with_its_usage()
    {
        await using var node = await StartAsync();
        await Inspect.UpAsync(node); // so 'cluster leave' below lists this node among the members
        var client = Inspect.Client(node);

        var unknown = await client.SendAsync(["no-such-command"]);
        Assert.False(unknown.Ok);
        Assert.Equal(InspectionReply.UsageError, unknown.ErrorCode);
        Assert.Equal("unknown command 'no-such-command'.", unknown.Error);
        foreach (var command in InspectionClient.Commands) Assert.Contains(command.Usage, unknown.Usage);

        var missing = await client.SendAsync(["cluster", "leave"]);
        Assert.Equal(InspectionReply.UsageError, missing.ErrorCode);
        Assert.Equal("missing <address>.", missing.Error);
        Assert.Equal("cluster leave <address>", missing.Usage);

        var notANumber = await client.SendAsync(["dlq", "replay", "orders.dlt", "--count", "-1"]);
        Assert.Equal(InspectionReply.UsageError, notANumber.ErrorCode);
        Assert.Equal("--count must be a whole number of at least 0, not '-1'.", notANumber.Error);
        Assert.Equal("dlq replay <topic> [--partition P] [--from OFFSET] [--count N]", notANumber.Usage);

        var extra = await client.SendAsync(["consumers", "now"]);
        Assert.Equal("unexpected argument 'now'.", extra.Error);

        // A command that runs but fails is not a usage error: the node says why.
        var notMember = await client.SendAsync(["cluster", "leave", "akka.tcp://broker@10.9.9.9:1"]);
        Assert.False(notMember.Ok);
        Assert.Equal("failed", notMember.ErrorCode);
        Assert.StartsWith("akka.tcp://broker@10.9.9.9:1 is not a member; members: akka.tcp://broker@127.0.0.1:", notMember.Error);
    }

    [Fact]
    public async Task A_node_with_a_token_refuses_requests_without_it_or_with_a_wrong_one()
    {
        await using var node = await StartAsync(new Dictionary<string, string?> { ["Broker:Inspection:Token"] = Token });

        var missing = await Inspect.Client(node).SendAsync(["cluster", "show"]);
        var wrong = await Inspect.Client(node, Token + "x").SendAsync(["cluster", "show"]);
        var right = await Inspect.Client(node, Token).SendAsync(["cluster", "show"]);

        Assert.Equal((false, InspectionReply.Unauthorized), (missing.Ok, missing.ErrorCode));
        Assert.Null(missing.Result);
        Assert.Equal((false, InspectionReply.Unauthorized), (wrong.Ok, wrong.ErrorCode));
        Assert.Contains("--token", wrong.Error);
        Assert.True(right.Ok);
        Assert.StartsWith("akka.tcp://broker@127.0.0.1:", right.Result!.Value.Text("self"));
    }

    [Fact]
    public async Task Serving_beyond_loopback_without_a_token_or_with_a_short_one_stops_start_up_naming_key_and_fix()
    {
        var noToken = await Assert.ThrowsAsync<BrokerConfigurationException>(() => StartAsync(
            new Dictionary<string, string?> { ["Broker:Inspection:Hostname"] = "0.0.0.0" }));
        var problem = Assert.Single(noToken.Problems);
        Assert.StartsWith("Broker:Inspection:Hostname = '0.0.0.0': serving inspection commands beyond loopback requires a token", problem);
        Assert.Contains("Fix: set Broker:Inspection:Token", problem);

        var shortToken = await Assert.ThrowsAsync<BrokerConfigurationException>(() => StartAsync(
            new Dictionary<string, string?> { ["Broker:Inspection:Hostname"] = "0.0.0.0", ["Broker:Inspection:Token"] = "short" }));
        problem = Assert.Single(shortToken.Problems);
        Assert.StartsWith("Broker:Inspection:Token = '<5 characters>'", problem); // the secret itself is never printed
        Assert.DoesNotContain("short'", problem);
        Assert.Contains("Fix:", problem);
    }

    [Fact]
    public async Task A_port_already_taken_stops_start_up_naming_the_key()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var e = await Assert.ThrowsAsync<BrokerConfigurationException>(() => StartAsync(
            new Dictionary<string, string?> { ["Broker:Inspection:Port"] = port.ToString() }));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith($"Broker:Inspection:Port = '{port}': cannot listen on 127.0.0.1:{port}", problem);
        Assert.Contains("Fix: set Broker:Inspection:Port to a free port", problem);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_answered_busy_and_served_again_once_they_close()
    {
        await using var node = await StartAsync();
        var host = node.Host.Services.GetRequiredService<InspectionHost>();
        var endpoint = node.Status.InspectionEndpoint!;
        var idle = new List<TcpClient>();
        try
        {
            // Connections that never send their request hold their slots until the request timeout.
            for (var i = 0; i < 16; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(endpoint);
                idle.Add(c);
            }
            await Eventually.Until(() => host.Sessions == 16, Timeout, () => $"16 sessions, now {host.Sessions}");

            var busy = await Inspect.Client(node).SendAsync(["cluster", "show"]);
            Assert.Equal((false, "busy"), (busy.Ok, busy.ErrorCode));
            Assert.Equal(16, host.Sessions);
        }
        finally
        {
            foreach (var c in idle) c.Dispose();
        }
        await Eventually.Until(() => host.Sessions == 0, Timeout, () => $"sessions closed, now {host.Sessions}");
        Assert.True((await Inspect.Client(node).SendAsync(["cluster", "show"])).Ok);
    }

    [Fact]
    public async Task A_request_longer_than_8_KiB_is_refused_and_the_connection_closed()
    {
        await using var node = await StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(node.Status.InspectionEndpoint!);
        var stream = client.GetStream();
        var huge = Encoding.UTF8.GetBytes("{\"args\":[\"" + new string('x', 20_000) + "\"]}\n");

        try
        {
            await stream.WriteAsync(huge);
        }
        catch (IOException)
        {
            // The node may close before it read everything; its answer is still there to read.
        }
        using var reader = new StreamReader(stream);
        var line = await reader.ReadLineAsync().WaitAsync(Timeout);
        using var answer = JsonDocument.Parse(line!);
        Assert.Equal("bad-request", answer.RootElement.GetProperty("code").GetString());
        Assert.Equal("the request is longer than 8192 bytes.", answer.RootElement.GetProperty("error").GetString());
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Timeout)); // closed
    }
    [Fact]
    public async Task Once_the_actor_system_has_stopped_commands_are_answered_stopping_at_once()
    {
        await using var node = await StartAsync();
        await node.Host.Services.GetRequiredService<Akka.Actor.ActorSystem>().Terminate();

        var reply = await Inspect.Client(node).SendAsync(["cluster", "show"]).WaitAsync(TimeSpan.FromSeconds(10)); // not the 30 s command timeout

        Assert.Equal((false, "stopping"), (reply.Ok, reply.ErrorCode));
    }
    [Fact]
    public async Task A_node_with_inspection_disabled_listens_on_no_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        // Enabled, the taken port would stop start-up (see above); disabled, nothing binds it.
        await using var node = await StartAsync(new Dictionary<string, string?>
        {
            ["Broker:Inspection:Enabled"] = "false",
            ["Broker:Inspection:Port"] = port.ToString(),
        });

        Assert.Null(node.Status.InspectionEndpoint);
    }
}
