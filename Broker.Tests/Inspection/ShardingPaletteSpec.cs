using System.Text;
using Broker.Inspection;
using Broker.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary>The <c>cluster-sharding</c> palette against a live node: shards are partitions, entities their owners and live keys.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ShardingPaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Regions_region_stats_and_shard_stats_count_each_partitions_owner_and_live_keyed_consumers()
    {
        var topic = kafka.CreateTopic(3);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        var deliveries = kafka.Produce(topic, Enumerable.Range(0, 40).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"k{i % 10}"),
            Value = Encoding.UTF8.GetBytes($"v{i}"),
        }));
        await log.WaitForCountAsync(40, Timeout);
        // Per shard: its partition owner and one keyed consumer per key the partition holds (none passivated within 2 min).
        var expected = Enumerable.Range(0, 3).ToDictionary(p => $"{topic}/{p}",
            p => 1 + deliveries.Where(d => d.Partition.Value == p).Select(d => Encoding.UTF8.GetString(d.Message.Key!)).Distinct().Count());
        var type = "broker-" + topic;

        var regions = await Inspect.Until(node, ["cluster-sharding", "regions"],
            r => r.Rows("regions") is [var row] && row.Number("entities") == 13, Timeout, "3 owners and 10 keyed consumers");
        var region = Assert.Single(regions.Rows("regions"));
        Assert.Equal((type, topic, topic), (region.Text("type"), region.Text("consumer"), region.Text("topic")));
        Assert.Equal((3L, 1L), (region.Number("shards")!.Value, region.Number("nodes")!.Value));
        var self = regions.Text("node");
        Assert.StartsWith("akka.tcp://broker@127.0.0.1:", self);

        // By consumer name or by type name.
        foreach (var name in new[] { topic, type })
        {
            var stats = await Inspect.Query(node, "cluster-sharding", "region-stats", name);
            Assert.Equal(type, stats.Text("type"));
            Assert.Equal((3L, 13L), (stats.Number("shardCount")!.Value, stats.Number("entityCount")!.Value));
            Assert.Empty(stats.Rows("failed"));
            Assert.Equal(expected, stats.Rows("shards").ToDictionary(s => s.Text("shard")!, s => (int)s.Number("entities")!));
        }

        var shardStats = await Inspect.Query(node, "cluster-sharding", "shard-stats", type);
        var nodeRow = Assert.Single(shardStats.Rows("nodes"));
        Assert.Equal((self, 3L, 13L, 0L), (nodeRow.Text("node"), nodeRow.Number("shards")!.Value, nodeRow.Number("entities")!.Value,
            nodeRow.Number("failed")!.Value));
        Assert.Equal(expected, shardStats.Rows("shards").ToDictionary(s => s.Text("shard")!, s => (int)s.Number("entities")!));
        Assert.All(shardStats.Rows("shards"), s => Assert.Equal(self, s.Text("node")));
    }

    [Fact]
    public async Task An_unknown_type_fails_listing_the_types_the_node_has()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);

        var reply = await Inspect.Client(node).SendAsync(["cluster-sharding", "region-stats", "payments"]);

        Assert.Equal((false, "failed"), (reply.Ok, reply.ErrorCode));
        Assert.Equal($"no sharding type 'payments' on this node; types: broker-{topic}.", reply.Error);
        Assert.NotEqual(InspectionReply.UsageError, reply.ErrorCode);
    }
}
