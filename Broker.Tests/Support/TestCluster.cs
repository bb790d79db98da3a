using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;
using Akka.Hosting;
using Broker.Hosting;
using Xunit.Abstractions;

namespace Broker.Tests.Support;

/// <summary>
/// Several Broker nodes in this process forming one Akka cluster over TCP on 127.0.0.1, all consuming one
/// topic with <see cref="TestHandler"/> into one <see cref="RecordLog"/>.
/// </summary>
public sealed class TestCluster(EmbeddedKafkaFixture kafka, string topic, string group, RecordLog log,
    ITestOutputHelper output, IDictionary<string, string?>? config = null, TestBehavior? behavior = null,
    string? extraHocon = null) : IAsyncDisposable
{
    /// <summary>Akka settings every test cluster uses: quick rebalancing and failure detection, no record crosses nodes unnoticed.</summary>
    public const string Hocon = """
        akka.cluster.sharding.rebalance-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        """;

    private readonly List<TestNode> _nodes = new();

    public IReadOnlyList<TestNode> Nodes => _nodes;

    /// <summary>
    /// Starts a node; the first forms the cluster, later ones join it through the first as seed.
    /// <paramref name="nodeConfig"/> adds to the cluster's configuration and <paramref name="nodeBehavior"/>
    /// replaces its handler behavior, for this node only.
    /// </summary>
    public async Task<TestNode> StartNodeAsync(string name, bool crashable = false,
        IDictionary<string, string?>? nodeConfig = null, TestBehavior? nodeBehavior = null)
    {
        var settings = TestNode.DefaultConfig(kafka.Bootstrap, group);
        settings["Broker:Cluster:StableAfter"] = "2s";
        settings["Broker:Cluster:NodeName"] = name;
        foreach (var (k, v) in config ?? new Dictionary<string, string?>()) settings[k] = v;
        foreach (var (k, v) in nodeConfig ?? new Dictionary<string, string?>()) settings[k] = v;
        if (_nodes.Count > 0) settings["Broker:Cluster:SeedNodes:0"] = _nodes[0].Address.ToString();
        var hocon = string.Join("\n", Hocon, CrossingNodesSerializer.Hocon, extraHocon ?? "", crashable ? TestNode.CrashableHocon : "");
        var node = await TestNode.StartAsync(settings, topic, log, output, nodeBehavior ?? behavior, name: name,
            broker: b => b.ConfigureAkka((akka, _) => akka.AddHocon(hocon, HoconAddMode.Prepend)));
        _nodes.Add(node);
        return node;
    }

    /// <summary>Waits until every running node sees <paramref name="count"/> members Up.</summary>
    public Task WaitForMembersAsync(int count, TimeSpan timeout) => Eventually.Until(
        () => Running.All(n => AkkaCluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == count),
        timeout, () => $"{count} members Up: " + string.Join("; ", Running.Select(n =>
            $"{n.Name} sees {string.Join(", ", AkkaCluster.Get(n.System).State.Members.Select(m => $"{m.Address}={m.Status}"))}")));

    /// <summary>
    /// Waits until the running nodes fetch exactly the partitions the consistent-hash ring gives them (the
    /// placement rebalancing converges to), so nothing moves any more.
    /// </summary>
    public Task WaitForRingPlacementAsync(int partitions, TimeSpan timeout)
    {
        var nodes = Running.ToArray();
        var ring = new Broker.Hashing.ConsistentHashRing(nodes.Select(n => new Broker.Hashing.RingNode(n.Address.ToString(), 1)));
        var expected = ring.Assign(Enumerable.Range(0, partitions).Select(p => $"{topic}/{p}"));
        var expectedOf = nodes.ToDictionary(n => n, n => expected.Where(e => e.Value == n.Address.ToString())
            .Select(e => int.Parse(e.Key[(e.Key.LastIndexOf('/') + 1)..])).Order().ToArray());
        return Eventually.Until(() => nodes.All(n => n.Assigned.Order().SequenceEqual(expectedOf[n])), timeout,
            () => "placement as the ring gives it: " + string.Join(" | ", nodes.Select(n => $"{n.Name}: {string.Join(",", expectedOf[n])}")) + "; now " + Describe());
    }

    /// <summary>Nodes not stopped or crashed.</summary>
    public IEnumerable<TestNode> Running => _nodes.Where(n => !n.System.WhenTerminated.IsCompleted);

    /// <summary>Which node fetches each partition now, e.g. "n1: 0,3,6 | n2: 1,4".</summary>
    public string Describe() => string.Join(" | ", Running.Select(n => $"{n.Name}: {string.Join(",", n.Assigned)}"));

    /// <summary>Each running node's partitions with committed offset, end offset, records in flight and pause state.</summary>
    public string Diagnose() => string.Join("\n", Running.Select(n => $"{n.Name} (fenced {n.Host.Services.GetService(typeof(Broker.Hosting.Internal.BrokerRuntime)) is Broker.Hosting.Internal.BrokerRuntime { IsFenced: true }}): " +
        string.Join(" ", n.Consumer.Partitions.Where(p => p.Assigned || p.InFlight > 0).Select(p =>
            $"{p.Partition}[c={p.CommittedOffset} hw={p.HighWatermark} in={p.InFlight}{(p.Paused ? " paused" : "")}]"))));

    /// <summary>Runs <paramref name="step"/>; if it times out, the exception says where every partition stands.</summary>
    public async Task Explain(Task step)
    {
        try
        {
            await step;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + Diagnose(), e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Youngest first, so the oldest (the singletons' host) leaves last and nothing migrates twice.
        for (var i = _nodes.Count - 1; i >= 0; i--) await _nodes[i].DisposeAsync();
    }
}
