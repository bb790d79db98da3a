using System.Text.Json;
using Broker.Inspection;
using Broker.Inspection.Internal;
using Broker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary><c>cluster tail</c> streams membership events as they happen, and ends when the client goes.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ClusterTailSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cluster_tail_streams_a_member_joining_and_leaving_as_it_happens()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);
        var self = (await Inspect.Query(node, "cluster", "show")).Text("self")!;
        var host = node.Host.Services.GetRequiredService<InspectionHost>();

        await using (var tail = await Inspect.Client(node).OpenStreamAsync(["cluster", "tail"]))
        {
            Assert.True(tail.Reply.Ok, tail.Reply.Error);
            Assert.Equal("cluster tail", tail.Reply.Command);
            await using var member = ClusterMember.Join(self);

            var joined = await NextAsync(tail, member.Address, "MemberUp");
            Assert.Equal("Up", joined.Text("status"));
            Assert.Equal(member.Address, joined.Text("address"));
            Assert.True(DateTimeOffset.UtcNow - joined.GetProperty("time").GetDateTimeOffset() < Timeout);

            await Inspect.Query(node, "cluster", "leave", member.Address);
            Assert.Equal("Leaving", (await NextAsync(tail, member.Address, "MemberLeft")).Text("status"));
            Assert.Equal("Removed", (await NextAsync(tail, member.Address, "MemberRemoved")).Text("status"));
        }

        // The client went away: the stream's session and actor end (the one child left is the query that asks).
        await Eventually.Until(() => host.Sessions == 0, Timeout, () => $"sessions closed, now {host.Sessions}");
        await Inspect.Until(node, ["actor", "hierarchy"],
            a => a.Rows("actors").Single(r => r.Text("path") == "/user/broker-inspection").Number("children") == 1, Timeout, "the tail actor stopped");
    }

    [Fact]
    public async Task Asking_a_streaming_command_for_a_single_answer_says_to_open_a_stream()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Inspect.Client(node).SendAsync(["cluster", "tail"]));

        Assert.Equal("'cluster tail' streams events: use OpenStreamAsync.", e.Message);
    }

    /// <summary>Reads events until one of <paramref name="kind"/> for <paramref name="address"/> (the events before it are of the same change).</summary>
    private static async Task<JsonElement> NextAsync(InspectionStream tail, string address, string kind)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (await tail.ReadAsync(timeout.Token) is { } e)
            if (e.Text("kind") == kind && e.Text("address") == address) return e;
        throw new Xunit.Sdk.XunitException($"the stream ended before {kind} of {address}: {tail.Error}");
    }
}
