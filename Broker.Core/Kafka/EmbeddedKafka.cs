using System.Text;
using Broker.Kafka.Internal;
using Confluent.Kafka;

namespace Broker.Kafka;

/// <summary>
/// A throwaway Kafka cluster in this process: the mock cluster compiled into librdkafka (the native
/// library that Confluent.Kafka ships), a real Kafka-protocol server on 127.0.0.1 with consumer groups,
/// offset commits and transactions. Broker starts one when no bootstrap servers are configured; any
/// Kafka client can connect to <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// Limits of the mock that matter (see librdkafka's <c>rdkafka_mock.h</c>):
/// <list type="bullet">
/// <item>Each partition keeps at most 5 MiB of record batches and silently drops the oldest beyond that.
/// Size <see cref="CreateTopic"/>'s partition count for the backlog a run can build, and check
/// <see cref="LowWatermarks"/>: a low watermark above 0 means records were dropped.</item>
/// <item>Topics must be created with <see cref="CreateTopic"/> before the first produce; auto-creation
/// gives 4 partitions. The Admin API's CreateTopics/CreatePartitions are not implemented.</item>
/// <item>Everything it stores lives in this process's memory.</item>
/// </list>
/// Thread-safe. Dispose stops the brokers; clients connected to it then see connection errors.
/// </remarks>
public sealed class EmbeddedKafka : IDisposable
{
    private readonly object _gate = new();
    private IntPtr _rk;
    private IntPtr _cluster;

    private EmbeddedKafka(IntPtr rk, IntPtr cluster, int brokers)
    {
        _rk = rk;
        _cluster = cluster;
        BrokerCount = brokers;
        BootstrapServers = LibRdKafka.MockClusterBootstraps(cluster);
    }

    /// <summary>The bootstrap string, <c>127.0.0.1:PORT,127.0.0.1:PORT,...</c>, one entry per broker.</summary>
    public string BootstrapServers { get; }

    /// <summary>The number of brokers (broker ids are 1..BrokerCount).</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// Starts a mock cluster of <paramref name="brokers"/> brokers on ephemeral loopback ports.
    /// The consumer-group join delay is set to 0 ms (the mock's default of 3 s only slows tests).
    /// </summary>
    /// <param name="brokers">Number of brokers, 1..16. Default 3.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokers"/> is outside 1..16.</exception>
    /// <exception cref="KafkaException">librdkafka could not create its handle or the cluster.</exception>
    public static EmbeddedKafka Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 16);
        LibRdKafka.EnsureLoaded();

        var errstr = new byte[512];
        var conf = LibRdKafka.ConfNew();
        // The handle only hosts the mock cluster; keep its own logging to errors.
        LibRdKafka.ConfSet(conf, "log_level", "3", errstr, (UIntPtr)errstr.Length);
        var rk = LibRdKafka.New(LibRdKafka.TypeProducer, conf, errstr, (UIntPtr)errstr.Length);
        if (rk == IntPtr.Zero)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "rd_kafka_new failed: " + Text(errstr)));
        }

        var cluster = LibRdKafka.MockClusterNew(rk, brokers);
        if (cluster == IntPtr.Zero)
        {
            LibRdKafka.Destroy(rk);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "rd_kafka_mock_cluster_new failed"));
        }
        LibRdKafka.MockGroupInitialRebalanceDelayMs(cluster, 0);
        return new EmbeddedKafka(rk, cluster, brokers);
    }

    /// <summary>
    /// Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions (replication factor
    /// min(3, brokers)). Creating an existing topic with the same name is a no-op.
    /// </summary>
    /// <exception cref="KafkaException">The mock refused the topic (other than "already exists").</exception>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_gate)
        {
            var err = LibRdKafka.MockTopicCreate(Handle(), topic, partitions, Math.Min(3, BrokerCount));
            if (err != 0 && err != (int)ErrorCode.TopicAlreadyExists)
                throw new KafkaException(new Error((ErrorCode)err,
                    $"creating topic '{topic}' with {partitions} partitions failed: {LibRdKafka.Err2Str(err)}"));
        }
    }

    /// <summary>
    /// Deletes <paramref name="topic"/> and creates it again with <paramref name="partitions"/> partitions,
    /// dropping its records and committed offsets. The mock cannot add partitions to a live topic; on a
    /// topic that holds no records yet this is how to grow it (clients then see the new partition count
    /// in metadata, exactly as after CreatePartitions on real Kafka).
    /// </summary>
    /// <exception cref="KafkaException">The mock refused the delete or the create.</exception>
    public void RecreateTopic(string topic, int partitions)
    {
        lock (_gate)
        {
            var err = LibRdKafka.MockTopicDelete(Handle(), topic);
            if (err != 0 && err != (int)ErrorCode.UnknownTopicOrPart)
                throw new KafkaException(new Error((ErrorCode)err,
                    $"deleting topic '{topic}' failed: {LibRdKafka.Err2Str(err)}"));
            CreateTopic(topic, partitions);
        }
    }

    /// <summary>Takes broker <paramref name="brokerId"/> (1-based) down: its connections close and it refuses new ones.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibRdKafka.MockBrokerSetDown(Handle(), brokerId), "broker down");

    /// <summary>Brings broker <paramref name="brokerId"/> (1-based) back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(LibRdKafka.MockBrokerSetUp(Handle(), brokerId), "broker up");

    /// <summary>
    /// The low watermark (first offset still stored) of every partition of <paramref name="topic"/>.
    /// In the embedded cluster nothing is ever deleted on purpose, so a value above 0 means the 5 MiB
    /// per-partition cap dropped records.
    /// </summary>
    /// <exception cref="KafkaException">Metadata or watermarks could not be read within <paramref name="timeout"/>.</exception>
    public IReadOnlyDictionary<int, long> LowWatermarks(string topic, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = "broker-embedded-watermarks",
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(topic, timeout);
        var result = new Dictionary<int, long>();
        foreach (var p in metadata.Topics.Single().Partitions)
            result[p.PartitionId] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), timeout).Low.Value;
        return result;
    }

    private IntPtr Handle()
    {
        var cluster = _cluster;
        ObjectDisposedException.ThrowIf(cluster == IntPtr.Zero, this);
        return cluster;
    }

    private static void Check(int err, string what)
    {
        if (err != 0) throw new KafkaException(new Error((ErrorCode)err, $"{what} failed: {LibRdKafka.Err2Str(err)}"));
    }

    private static string Text(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }

    /// <summary>Stops the brokers and frees the native cluster. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero) LibRdKafka.MockClusterDestroy(_cluster);
            if (_rk != IntPtr.Zero) LibRdKafka.Destroy(_rk);
            _cluster = IntPtr.Zero;
            _rk = IntPtr.Zero;
        }
    }
}
