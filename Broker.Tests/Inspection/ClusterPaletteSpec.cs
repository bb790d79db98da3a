using System.Text.Json;
using Broker.Tests.Support;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary>The <c>cluster</c> palette against a live node with a second member that joins, leaves, is downed or is lost.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ClusterPaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<TestNode> StartAsync()
    {
        var topic = kafka.CreateTopic(1);
        return TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);
    }

    private static JsonElement? Member(JsonElement show, string address) =>
        show.Rows("members").Where(m => m.Text("address") == address).Select(m => (JsonElement?)m).FirstOrDefault();

    private static Task<JsonElement> UpAsync(TestNode node, ClusterMember member) =>
        Inspect.Until(node, ["cluster", "show"], s => Member(s, member.Address)?.Text("status") == "Up", Timeout, $"{member.Address} Up");

    private static Task<JsonElement> GoneAsync(TestNode node, ClusterMember member) =>
        Inspect.Until(node, ["cluster", "show"], s => Member(s, member.Address) is null, Timeout, $"{member.Address} removed");

    [Fact]
    public async Task Show_and_leader_list_a_member_that_joined_and_leave_makes_it_leave_the_cluster()
    {
        await using var node = await StartAsync();
        var self = (await Inspect.Query(node, "cluster", "show")).Text("self")!;
        await using var member = ClusterMember.Join(self);

        var show = await UpAsync(node, member);

        Assert.Equal(2, show.Number("up"));
        Assert.Equal(0, show.Number("unreachable"));
        var rows = show.Rows("members");
        Assert.Equal(new[] { member.Address, self }.Order(StringComparer.Ordinal), rows.Select(m => m.Text("address")));
        Assert.All(rows, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        Assert.True(Member(show, self)!.Value.GetProperty("self").GetBoolean());
        Assert.False(Member(show, member.Address)!.Value.GetProperty("self").GetBoolean());
        var leader = Assert.Single(rows, m => m.GetProperty("leader").GetBoolean()).Text("address");
        Assert.Equal(leader, show.Text("leader"));
        var leadership = await Inspect.Query(node, "cluster", "leader");
        Assert.Equal(leader, leadership.Text("leader"));
        Assert.Equal(leader == self, leadership.GetProperty("isSelf").GetBoolean());

        var leave = await Inspect.Query(node, "cluster", "leave", member.Address);

        Assert.Equal(("leave", member.Address, "Up"), (leave.Text("action"), leave.Text("address"), leave.Text("statusBefore")));
        var after = await GoneAsync(node, member);
        Assert.Equal(1, after.Number("up"));
        await member.System.WhenTerminated.WaitAsync(Timeout); // it left and shut itself down
    }

    [Fact]
    public async Task Down_removes_a_member_and_down_unreachable_downs_exactly_the_members_this_node_cannot_reach()
    {
        await using var node = await StartAsync();
        var self = (await Inspect.Query(node, "cluster", "show")).Text("self")!;

        await using (var downed = ClusterMember.Join(self))
        {
            await UpAsync(node, downed);
            var down = await Inspect.Query(node, "cluster", "down", downed.Address);
            Assert.Equal(("down", downed.Address, "Up"), (down.Text("action"), down.Text("address"), down.Text("statusBefore")));
            await GoneAsync(node, downed);
        }

        await using var lost = ClusterMember.Join(self);
        await UpAsync(node, lost);
        Assert.Empty((await Inspect.Query(node, "cluster", "down-unreachable")).Rows("downed")); // nobody is unreachable yet
        await lost.CrashAsync();
        var show = await Inspect.Until(node, ["cluster", "show"], s => Member(s, lost.Address)?.GetProperty("reachable").GetBoolean() == false,
            Timeout, $"{lost.Address} unreachable");
        Assert.Equal(1, show.Number("unreachable"));

        var result = await Inspect.Query(node, "cluster", "down-unreachable");

        Assert.Equal([lost.Address], result.Rows("downed").Select(d => d.Text("address")));
        var after = await GoneAsync(node, lost);
        Assert.Equal(self, Assert.Single(after.Rows("members")).Text("address"));
        Assert.Equal(0, after.Number("unreachable"));
    }

    [Fact]
    public async Task An_address_that_is_not_a_member_or_not_an_address_is_refused_with_the_members()
    {
        await using var node = await StartAsync();
        var self = (await Inspect.UpAsync(node)).Text("self")!;

        var notMember = await Inspect.Client(node).SendAsync(["cluster", "down", "akka.tcp://broker@127.0.0.1:1"]);
        var notAddress = await Inspect.Client(node).SendAsync(["cluster", "leave", "node-2"]);

        Assert.Equal((false, "failed"), (notMember.Ok, notMember.ErrorCode));
        Assert.Equal($"akka.tcp://broker@127.0.0.1:1 is not a member; members: {self}.", notMember.Error);
        Assert.Equal((false, "failed"), (notAddress.Ok, notAddress.ErrorCode));
        Assert.StartsWith("'node-2' is not an Akka address", notAddress.Error);
        Assert.Equal("Up", Assert.Single((await Inspect.Query(node, "cluster", "show")).Rows("members")).Text("status"));
    }
}
