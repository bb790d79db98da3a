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
        await Eventually.Until(() => cluster.Nodes.All(n => n.Assigned.Count == 4) && cluster.Nodes.Sum(n => n.Assigned.Count) == 12,
            Timeout, () => "12 partitions spread 4/4/4: " + cluster.Describe());
        var crossedBefore = CrossingNodesSerializer.Serialized;

        kafka.Produce(topic, Numbered(50_000, 5_000));
        await log.WaitForCountAsync(50_000, Timeout);

        var records = log.Records;
        AssertOnceInKeyOrder(records, 50_000, 10);
        // Each partition's records were handled on the node that fetched it, and none crossed nodes.
        var fetchedBy = cluster.Nodes.SelectMany(n => n.Assigned.Select(p => (p, n.Name))).ToDictionary(x => x.p, x => x.Name);
        Assert.All(records, r => Assert.Equal(fetchedBy[r.Partition], r.Node));
        Assert.Equal(crossedBefore, CrossingNodesSerializer.Serialized);
        Assert.All(cluster.Nodes, n => Assert.True(n.Consumer.Handled > 0, $"{n.Name} handled nothing"));
    }
}
