using System.Text;
using Broker.Sharding.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;

namespace Broker.Tests.Sharding;

/// <summary>
/// A key's shard is the partition Kafka's partitioner puts it in, and its entity id is a fixed function of
/// its bytes; so every process (and every client language) maps a key to the same shard and entity.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KeyPlacementSpec(EmbeddedKafkaFixture kafka)
{
    // murmur2 of each key as computed by Kafka's Java client (org.apache.kafka.common.utils.UtilsTest).
    public static TheoryData<string, int> JavaMurmur2 => new()
    {
        { "21", -973932308 },
        { "foobar", -790332482 },
        { "a-little-bit-long-string", -985981536 },
        { "a-little-bit-longer-string", -1486304829 },
        { "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971 },
        { "abc", 479470107 },
    };

    [Fact]
    public void Keys_land_in_the_shard_the_java_client_would_pick()
    {
        const int partitions = 12;
        var topic = kafka.CreateTopic(partitions);
        var cases = JavaMurmur2.Select(row => ((string)row[0], (int)row[1])).ToArray();
        var deliveries = kafka.Produce(topic, cases.Select(c => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(c.Item1),
            Value = [1],
        }));
        foreach (var (key, murmur2) in cases)
        {
            var expected = (murmur2 & 0x7fffffff) % partitions; // Kafka: toPositive(murmur2(key)) % partitions
            var delivery = deliveries.Single(d => Encoding.UTF8.GetString(d.Message.Key!) == key);
            Assert.Equal(expected, delivery.Partition.Value);
            Assert.Equal($"{topic}/{expected}", ShardMessageExtractor.Instance.ShardId(
                EntityIds.ForKey(EntityIds.Shard(topic, delivery.Partition.Value), delivery.Message.Key)));
        }
    }
}
