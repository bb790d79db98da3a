using Broker.Hosting.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>
/// Where this node's Kafka is, and the client settings every Broker client shares. With no bootstrap
/// servers configured it starts the <see cref="EmbeddedKafka"/> on first use and creates each consumer's
/// topic and dead-letter topic there, so a real cluster is just a bootstrap string.
/// </summary>
internal sealed class KafkaEndpoint : IDisposable
{
    private readonly BrokerConfiguration _configuration;
    private readonly ILogger _logger;
    private readonly Lazy<string> _bootstrap;

    public KafkaEndpoint(BrokerConfiguration configuration, ILogger<KafkaEndpoint> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _bootstrap = new Lazy<string>(Resolve);
    }

    /// <summary>The bootstrap string; starts the embedded Kafka the first time when none is configured.</summary>
    public string BootstrapServers => _bootstrap.Value;

    /// <summary>True when no bootstrap servers are configured, so this node runs the embedded Kafka.</summary>
    public bool UsesEmbeddedKafka => _configuration.Settings.UsesEmbeddedKafka;

    /// <summary>The embedded Kafka, once started.</summary>
    public EmbeddedKafka? Embedded { get; private set; }

    public ConsumerConfig ConsumerConfig(ResolvedConsumer consumer)
    {
        var config = FetchSettings(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = consumer.GroupId,
            ClientId = $"broker-{consumer.Name}-{Environment.MachineName}",
            AutoOffsetReset = consumer.Settings.AutoOffsetReset,
            // The zone as the rack: brokers that support follower fetching (KIP-392) serve it in-zone.
            ClientRack = _configuration.Settings.Zone,
        }, consumer.Settings.MaxInFlightPerPartition);
        return WithUserProperties(config);
    }

    /// <summary>
    /// The consumer settings that shape fetching and committing, shared with the benchmarks' plain
    /// Confluent.Kafka baseline so both read Kafka the same way.
    /// </summary>
    internal static ConsumerConfig FetchSettings(ConsumerConfig config, int maxInFlightPerPartition)
    {
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        // librdkafka's 1 s default stalls every partition once ~100,000 records are queued.
        config.FetchQueueBackoffMs = 10;
        // A partition resumed after a pause waits for the broker's in-flight long poll to end.
        config.FetchWaitMaxMs = 100;
        // librdkafka prefetches per partition up to 100,000 records or 64 MiB by default: with many
        // partitions that is the whole backlog, in native memory. Broker takes at most a window of
        // records per partition, so prefetching more than that only costs memory.
        config.QueuedMinMessages = maxInFlightPerPartition;
        config.QueuedMaxMessagesKbytes = 4096;
        // One fetch response is a buffer of up to this size per broker connection (librdkafka: 50 MiB).
        config.FetchMaxBytes = 4 * 1024 * 1024;
        // Confluent.Kafka decodes each record's topic name into a new string; a node's consumer reads one
        // topic, so the poll loop sets that one string on every record instead (NodeConsumer.Route).
        config.ConsumeResultFields = "timestamp,headers";
        return config;
    }

    public ProducerConfig DeadLetterProducerConfig(ResolvedConsumer consumer) => ProducerConfig($"broker-{consumer.Name}-dlt");

    /// <summary>An idempotent producer acknowledged by all in-sync replicas, partitioning like Kafka's Java client.</summary>
    public ProducerConfig ProducerConfig(string clientId) => WithUserProperties(new ProducerConfig
    {
        BootstrapServers = BootstrapServers,
        ClientId = $"{clientId}-{Environment.MachineName}",
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        Partitioner = Partitioner.Murmur2Random,
    });

    /// <summary>A consumer that reads by manual assignment and never commits (inspection: dead-letter counts and replay).</summary>
    public ConsumerConfig ReaderConfig(string clientId) => WithUserProperties(new ConsumerConfig
    {
        BootstrapServers = BootstrapServers,
        GroupId = $"{clientId}-{Guid.NewGuid():N}",
        ClientId = $"{clientId}-{Environment.MachineName}",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = false,
        IsolationLevel = IsolationLevel.ReadCommitted,
    });

    public IAdminClient AdminClient() =>
        new AdminClientBuilder(WithUserProperties(new AdminClientConfig { BootstrapServers = BootstrapServers })).Build();

    /// <summary>Applies <c>Broker:Kafka:*</c> last, so users can tune anything Broker does not manage.</summary>
    private T WithUserProperties<T>(T config) where T : ClientConfig
    {
        foreach (var (key, value) in _configuration.Settings.KafkaProperties) config.Set(key, value);
        return config;
    }

    private string Resolve()
    {
        var settings = _configuration.Settings;
        if (!settings.UsesEmbeddedKafka) return settings.BootstrapServers!;

        var kafka = EmbeddedKafka.Start(settings.EmbeddedBrokers);
        Embedded = kafka;
        foreach (var consumer in _configuration.Consumers)
        {
            kafka.CreateTopic(consumer.Topic, settings.EmbeddedPartitions);
            kafka.CreateTopic(consumer.Topic + consumer.Settings.DeadLetterTopicSuffix, settings.EmbeddedPartitions);
        }
        _logger.LogInformation(
            "Embedded Kafka ({Brokers} brokers, librdkafka {Version} mock cluster) listening on {BootstrapServers}; topics {Topics} with {Partitions} partitions each",
            settings.EmbeddedBrokers, Library.VersionString, kafka.BootstrapServers,
            string.Join(", ", _configuration.Consumers.Select(c => c.Topic)), settings.EmbeddedPartitions);
        return kafka.BootstrapServers;
    }

    public void Dispose() => Embedded?.Dispose();
}
