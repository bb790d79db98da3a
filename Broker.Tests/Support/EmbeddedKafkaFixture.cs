using Broker.Kafka;
using Confluent.Kafka;

namespace Broker.Tests.Support;

/// <summary>One embedded Kafka (librdkafka's mock cluster, 3 brokers) shared by the tests of <see cref="KafkaCollection"/>.</summary>
public sealed class EmbeddedKafkaFixture : IDisposable
{
    private int _topics;

    public EmbeddedKafka Kafka { get; } = EmbeddedKafka.Start(3);

    public string Bootstrap => Kafka.BootstrapServers;

    /// <summary>Creates a topic with a fresh name (and its dead-letter topic) and returns the name.</summary>
    public string CreateTopic(int partitions, string prefix = "t")
    {
        var topic = $"{prefix}-{Interlocked.Increment(ref _topics)}";
        Kafka.CreateTopic(topic, partitions);
        Kafka.CreateTopic(topic + ".dlt", 1);
        return topic;
    }

    /// <summary>Produces <paramref name="messages"/> in order and waits for every delivery report.</summary>
    public IReadOnlyList<DeliveryResult<byte[]?, byte[]?>> Produce(string topic, IEnumerable<Message<byte[]?, byte[]?>> messages,
        int? partition = null)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random,
            EnableIdempotence = true,
        }).Build();
        var results = new List<DeliveryResult<byte[]?, byte[]?>>();
        var errors = new List<Error>();
        foreach (var m in messages)
        {
            void Report(DeliveryReport<byte[]?, byte[]?> r)
            {
                lock (results)
                {
                    if (r.Error.IsError) errors.Add(r.Error);
                    else results.Add(r);
                }
            }
            if (partition is { } p) producer.Produce(new TopicPartition(topic, p), m, Report);
            else producer.Produce(topic, m, Report);
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        lock (results)
        {
            if (errors.Count > 0) throw new KafkaException(errors[0]);
            return results.ToArray();
        }
    }

    /// <summary>End offset of every partition the deliveries went to (one past the last record).</summary>
    public static Dictionary<int, long> EndOffsets(IEnumerable<DeliveryResult<byte[]?, byte[]?>> deliveries) =>
        deliveries.GroupBy(d => d.Partition.Value).ToDictionary(g => g.Key, g => g.Max(d => d.Offset.Value) + 1);

    /// <summary>Reads every record of <paramref name="topic"/> from the beginning until none arrives for a while.</summary>
    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic, int expected, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow + timeout;
        while (records.Count < expected && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is not null) records.Add(r);
        }
        consumer.Close();
        return records;
    }

    public void Dispose() => Kafka.Dispose();
}
