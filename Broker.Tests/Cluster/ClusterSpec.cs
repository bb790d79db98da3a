using System.Text;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Cluster;

/// <summary>
/// Several nodes in one Akka cluster (real ActorSystems over TCP on 127.0.0.1) sharing one consumer group
/// on the embedded Kafka: partitions are placed by Akka, each record is handled once, in key order, on the
/// node that fetched it, through joins, graceful leaves and crashes.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ClusterSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static IEnumerable<Message<byte[]?, byte[]?>> Numbered(int records, int keys, int from = 0) =>
        Enumerable.Range(from, records).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"key-{i % keys}"),
            Value = Encoding.UTF8.GetBytes($"key-{i % keys}:{i / keys}"),
        });

    /// <summary>Every record exactly once, and each key's records in the order they were produced.</summary>
    private static void AssertOnceInKeyOrder(IReadOnlyList<HandledRecord> records, int expected, int perKey)
    {
        Assert.Equal(expected, records.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.Equal(expected, records.Count); // nothing handled twice
        foreach (var key in records.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
            Assert.Equal(Enumerable.Range(0, perKey), key.Select(r => int.Parse(r.Value!.Split(':')[1])));
    }

    /// <summary>
    /// Produces <paramref name="records"/> numbered records in batches of 1,000, each batch only once the
    /// handlers are at most 3,000 records behind, so the stream is still flowing while a test changes the cluster.
    /// </summary>
    private Task ProduceSteadilyAsync(string topic, RecordLog log, int records, int keys, int from = 0) => Task.Run(async () =>
    {
        for (var start = from; start < from + records; start += 1_000)
        {
            var produced = start - from;
            await log.WaitUntilAsync(r => r.Count >= produced - 3_000, Timeout, $"handlers within 3,000 of {produced} produced");
            kafka.Produce(topic, Numbered(Math.Min(1_000, from + records - start), keys, start));
        }
    });

    /// <summary>Handlers that await 1 ms, so that 20,000 records take long enough for the cluster to change meanwhile.</summary>
    private static readonly TestBehavior Io = new() { Before = (_, ct) => Task.Delay(1, ct) };

    /// <summary>Partitions whose records were handled on more than one node.</summary>
    private static int[] MovedPartitions(IReadOnlyList<HandledRecord> records) =>
        records.GroupBy(r => r.Partition).Where(p => p.Select(r => r.Node).Distinct().Count() > 1).Select(p => p.Key).ToArray();

    [Fact]
    public async Task A_node_joining_mid_stream_takes_over_partitions_and_no_record_runs_twice()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        await using var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output, behavior: Io);
        await cluster.StartNodeAsync("n1");
        await cluster.StartNodeAsync("n2");
        await cluster.WaitForMembersAsync(2, Timeout);
        await Eventually.Until(() => cluster.Nodes.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);

        var first = ProduceSteadilyAsync(topic, log, 20_000, 2_000);
        await cluster.Explain(log.WaitForCountAsync(5_000, Timeout));
        var n3 = await cluster.StartNodeAsync("n3");
        await cluster.Explain(first);
        await cluster.Explain(log.WaitForCountAsync(20_000, Timeout));
        // The load bound (at most 5 of 12 on a node) leaves the newcomer at least 2.
        await Eventually.Until(() => n3.Assigned.Count >= 2 && cluster.Nodes.Sum(n => n.Assigned.Count) == 12,
            Timeout, () => "n3 took partitions: " + cluster.Describe());
        await ProduceSteadilyAsync(topic, log, 20_000, 2_000, from: 20_000);
        await cluster.Explain(log.WaitForCountAsync(40_000, Timeout));

        AssertOnceInKeyOrder(log.Records, 40_000, 20);
        Assert.True(n3.Consumer.Handled > 0, "n3 handled nothing");
        Assert.NotEmpty(MovedPartitions(log.Records));
        Assert.All(cluster.Nodes, n => Assert.Equal(0, n.Consumer.Skipped)); // graceful moves need no watermark
    }

    [Fact]
    public async Task A_node_leaving_gracefully_mid_stream_hands_its_partitions_over_and_no_record_runs_twice()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        await using var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output, behavior: Io);
        await cluster.StartNodeAsync("n1");
        await cluster.StartNodeAsync("n2");
        var n3 = await cluster.StartNodeAsync("n3");
        await cluster.WaitForMembersAsync(3, Timeout);
        await Eventually.Until(() => n3.Assigned.Count > 0 && cluster.Nodes.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);

        var first = ProduceSteadilyAsync(topic, log, 20_000, 2_000);
        await cluster.Explain(log.WaitForCountAsync(5_000, Timeout));
        await n3.StopAsync();
        await cluster.Explain(first);
        await cluster.Explain(log.WaitForCountAsync(20_000, Timeout));
        await cluster.WaitForMembersAsync(2, Timeout);
        await Eventually.Until(() => cluster.Running.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);
        await ProduceSteadilyAsync(topic, log, 20_000, 2_000, from: 20_000);
        await cluster.Explain(log.WaitForCountAsync(40_000, Timeout));

        AssertOnceInKeyOrder(log.Records, 40_000, 20);
        Assert.NotEmpty(MovedPartitions(log.Records));
        Assert.All(cluster.Running, n => Assert.Equal(0, n.Consumer.Skipped));
    }

    [Fact]
    public async Task A_killed_node_loses_nothing_and_no_record_whose_watermark_was_stored_runs_again()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        var config = new Dictionary<string, string?> { ["Broker:Consumer:CommitInterval"] = "2s" };
        await using var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output, config, Io);
        await cluster.StartNodeAsync("n1", crashable: true);
        await cluster.StartNodeAsync("n2", crashable: true);
        var n3 = await cluster.StartNodeAsync("n3", crashable: true);
        await cluster.WaitForMembersAsync(3, Timeout);
        await Eventually.Until(() => n3.Assigned.Count > 0 && cluster.Nodes.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);
        var stored = StoredWatermarks.Follow(n3.System);

        var first = ProduceSteadilyAsync(topic, log, 20_000, 2_000);
        await cluster.Explain(log.WaitUntilAsync(r => r.Count(x => x.Node == "n3") >= 2_000, Timeout, "n3 handled 2,000"));
        await n3.CrashAsync();
        await cluster.Explain(first);
        await cluster.WaitForMembersAsync(2, Timeout);
        await ProduceSteadilyAsync(topic, log, 20_000, 2_000, from: 20_000);
        await cluster.Explain(log.WaitUntilAsync(r => r.Select(x => (x.Partition, x.Offset)).Distinct().Count() >= 40_000, Timeout, "40,000 distinct records"));

        var records = log.Records;
        var reRuns = records.GroupBy(r => (r.Partition, r.Offset)).Where(g => g.Count() > 1).Select(g => g.First()).ToArray();
        output.WriteLine($"re-runs: {reRuns.Length}, skipped by the survivors: {cluster.Running.Sum(n => n.Consumer.Skipped)}");
        Assert.All(reRuns, r => Assert.True(r.Offset > stored.Of(r.Partition, r.Key),
            $"{r.Partition}@{r.Offset} ran again although its key's watermark {stored.Of(r.Partition, r.Key)} was stored"));
        Assert.All(records.GroupBy(r => (r.Partition, r.Offset)), g => Assert.True(g.Count() <= 2));
        Assert.NotEmpty(MovedPartitions(records));
    }

    [Fact]
    public async Task A_node_cut_off_from_the_others_stops_fetching_is_downed_and_no_partition_is_ever_fetched_by_two_nodes()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        // Akka.Remote's throttler transport lets the test drop every message between chosen nodes.
        await using var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output, behavior: Io,
            extraHocon: "akka.remote.dot-netty.tcp.applied-adapters = [trttl]");
        var n1 = await cluster.StartNodeAsync("n1");
        var n2 = await cluster.StartNodeAsync("n2");
        var n3 = await cluster.StartNodeAsync("n3");
        await cluster.WaitForMembersAsync(3, Timeout);
        await Eventually.Until(() => n3.Assigned.Count > 0 && cluster.Nodes.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);
        var stored = StoredWatermarks.Follow(n3.System);

        using var watching = new CancellationTokenSource();
        var doubleFetches = new List<string>();
        var watcher = Task.Run(async () =>
        {
            // A monitor, not a synchronisation: every 10 ms, which partitions more than one node fetches.
            while (!watching.IsCancellationRequested)
            {
                var fetching = cluster.Running.SelectMany(n => n.Consumer.Partitions
                    .Where(p => p.Assigned && !p.Paused).Select(p => (p.Partition, n.Name)));
                foreach (var twice in fetching.GroupBy(f => f.Partition).Where(g => g.Count() > 1))
                    doubleFetches.Add($"{twice.Key} on {string.Join(" and ", twice.Select(f => f.Name))}");
                await Task.Delay(10);
            }
        });

        var first = ProduceSteadilyAsync(topic, log, 20_000, 2_000);
        await cluster.Explain(log.WaitUntilAsync(r => r.Count(x => x.Node == "n3") >= 1_000, Timeout, "n3 handled 1,000"));
        var transport = ((Akka.Remote.RemoteActorRefProvider)((Akka.Actor.ExtendedActorSystem)n3.System).Provider).Transport;
        foreach (var other in new[] { n1, n2 })
            Assert.True(await transport.ManagementCommand(new Akka.Remote.Transport.SetThrottle(other.Address,
                Akka.Remote.Transport.ThrottleTransportAdapter.Direction.Both, Akka.Remote.Transport.Blackhole.Instance)));

        await Eventually.Until(() => n3.System.WhenTerminated.IsCompleted, Timeout, () => "n3 downed and stopped");
        await cluster.WaitForMembersAsync(2, Timeout);
        await cluster.Explain(first);
        await cluster.Explain(log.WaitUntilAsync(r => r.Select(x => (x.Partition, x.Offset)).Distinct().Count() >= 20_000, Timeout, "20,000 distinct records"));
        await Eventually.Until(() => cluster.Running.Sum(n => n.Assigned.Count) == 12, Timeout, cluster.Describe);
        await ProduceSteadilyAsync(topic, log, 10_000, 2_000, from: 20_000);
        await cluster.Explain(log.WaitUntilAsync(r => r.Select(x => (x.Partition, x.Offset)).Distinct().Count() >= 30_000, Timeout, "30,000 distinct records"));
        await watching.CancelAsync();
        await watcher;

        Assert.Empty(doubleFetches);
        var records = log.Records;
        var reRuns = records.GroupBy(r => (r.Partition, r.Offset)).Where(g => g.Count() > 1).Select(g => g.First()).ToArray();
        output.WriteLine($"re-runs: {reRuns.Length}, skipped by the survivors: {cluster.Running.Sum(n => n.Consumer.Skipped)}");
        Assert.All(reRuns, r => Assert.True(r.Offset > stored.Of(r.Partition, r.Key),
            $"{r.Partition}@{r.Offset} ran again although its key's watermark {stored.Of(r.Partition, r.Key)} was stored"));
        Assert.NotEmpty(MovedPartitions(records));
    }

    [Fact]
    public async Task Three_nodes_handle_50000_records_over_5000_keys_once_in_key_order_each_on_the_node_that_fetched_it()
    {
        var topic = kafka.CreateTopic(12);
        var log = new RecordLog();
        await using var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output);
        await cluster.StartNodeAsync("n1");
        await cluster.StartNodeAsync("n2");
        await cluster.StartNodeAsync("n3");
        await cluster.WaitForMembersAsync(3, Timeout);
        await cluster.WaitForRingPlacementAsync(12, Timeout);
        // Consistent hashing with bounded loads (c = 1.25): at most ceil(1.25 x 4) = 5 partitions on a node.
        Assert.All(cluster.Nodes, n => Assert.InRange(n.Assigned.Count, 1, 5));
        var crossedBefore = CrossingNodesSerializer.Serialized;

        kafka.Produce(topic, Numbered(50_000, 5_000));
        await cluster.Explain(log.WaitForCountAsync(50_000, Timeout));

        var records = log.Records;
        AssertOnceInKeyOrder(records, 50_000, 10);
        // Each partition's records were handled on the node that fetched it, and none crossed nodes.
        var fetchedBy = cluster.Nodes.SelectMany(n => n.Assigned.Select(p => (p, n.Name))).ToDictionary(x => x.p, x => x.Name);
        Assert.All(records, r => Assert.Equal(fetchedBy[r.Partition], r.Node));
        Assert.Equal(crossedBefore, CrossingNodesSerializer.Serialized);
        Assert.All(cluster.Nodes, n => Assert.True(n.Consumer.Handled > 0, $"{n.Name} handled nothing"));
    }
}
