using Akka.Actor;
using Broker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary><c>actor hierarchy</c> walks the node's live actor tree and reads each mailbox when asked.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ActorPaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Actor_hierarchy_lists_the_nodes_actors_with_the_messages_waiting_in_their_mailboxes_busiest_first()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);
        var system = node.Host.Services.GetRequiredService<ActorSystem>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = system.ActorOf(Props.Create(() => new Stuck(gate.Task, 5)), "stuck");
        for (var i = 0; i < 5; i++) stuck.Tell("work"); // the first waits for the gate, four wait in the mailbox

        var answer = await Inspect.Until(node, ["actor", "hierarchy", "--children", "2"],
            a => a.Rows("actors").Any(r => r.Text("path") == "/user/stuck" && r.Number("mailbox") == 4), Timeout, "4 messages waiting");

        var rows = answer.Rows("actors");
        Assert.Equal(rows.Length, answer.Number("listed"));
        var paths = rows.Select(r => r.Text("path")!).ToList();
        Assert.Equal("/", paths[0]);
        // The busiest child of /user comes first.
        Assert.Equal("/user/stuck", paths[paths.IndexOf("/user") + 1]);
        var row = rows.Single(r => r.Text("path") == "/user/stuck");
        Assert.Equal((5L, 3L), (row.Number("children")!.Value, row.Number("notListed")!.Value));
        Assert.Equal(2, paths.Count(p => p.StartsWith("/user/stuck/", StringComparison.Ordinal)));
        Assert.True(answer.Number("omitted") >= 3);

        var full = await Inspect.Query(node, "actor", "hierarchy");
        var all = full.Rows("actors").Select(r => r.Text("path")).ToArray();
        Assert.Contains("/user/broker-inspection", all);
        Assert.Contains($"/system/sharding/broker-{topic}", all);
        Assert.Equal(5, all.Count(p => p!.StartsWith("/user/stuck/", StringComparison.Ordinal)));

        gate.SetResult();
        await Inspect.Until(node, ["actor", "hierarchy"], a => a.Rows("actors").Single(r => r.Text("path") == "/user/stuck").Number("mailbox") == 0,
            Timeout, "the mailbox drained");
    }

    /// <summary>Handles each message by waiting for a gate, so messages pile up in its mailbox; has idle children.</summary>
    private sealed class Stuck : ReceiveActor
    {
        public Stuck(Task gate, int children)
        {
            for (var i = 0; i < children; i++) Context.ActorOf(Props.Create(() => new Idle()), $"child-{i}");
            ReceiveAsync<string>(_ => gate);
        }
    }

    private sealed class Idle : ReceiveActor
    {
    }
}
