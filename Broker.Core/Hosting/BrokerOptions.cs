namespace Broker.Hosting;

/// <summary>
/// Broker's settings, bound from the <c>Broker</c> section of the host's configuration (keys below are
/// relative to it, e.g. <c>Broker:GroupId</c>) and then from <see cref="BrokerBuilder.Configure"/>.
/// Null keeps the default from Broker's <c>reference.conf</c>. Checked when the host starts: a bad value
/// stops start-up with a <see cref="BrokerConfigurationException"/> naming the key, the value and the fix.
/// </summary>
public sealed class BrokerOptions
{
    /// <summary>
    /// Kafka bootstrap servers, <c>host:port[,host:port...]</c> (librdkafka <c>bootstrap.servers</c>).
    /// Empty or null starts the embedded Kafka (see <see cref="Embedded"/>).
    /// </summary>
    public string? BootstrapServers { get; set; }

    /// <summary>Consumer group id (librdkafka <c>group.id</c>) for consumers that do not name their own. Default <c>broker</c>.</summary>
    public string? GroupId { get; set; }

    /// <summary>
    /// Extra librdkafka properties for every client Broker creates (consumer, producer, admin), e.g.
    /// <c>Broker:Kafka:security.protocol = SASL_SSL</c>. Keys Broker manages itself
    /// (<c>bootstrap.servers</c>, <c>group.id</c>, <c>enable.auto.commit</c>, ...) are refused.
    /// </summary>
    public Dictionary<string, string> Kafka { get; } = new(StringComparer.Ordinal);

    /// <summary>The embedded Kafka (<c>Broker:Embedded</c>).</summary>
    public EmbeddedKafkaOptions Embedded { get; } = new();

    /// <summary>This node's cluster membership (<c>Broker:Cluster</c>).</summary>
    public BrokerClusterOptions Cluster { get; } = new();

    /// <summary>
    /// Priority and weight of each zone, by zone name (<c>Broker:Zones:&lt;zone&gt;:Priority</c>, <c>:Weight</c>).
    /// Zones not listed get the defaults. See <see cref="ZoneOptions"/>.
    /// </summary>
    public Dictionary<string, ZoneOptions> Zones { get; } = new(StringComparer.Ordinal);

    /// <summary>The database for idempotency watermarks (<c>Broker:Persistence</c>).</summary>
    public BrokerPersistenceOptions Persistence { get; } = new();

    /// <summary>The memory guard (<c>Broker:Memory</c>).</summary>
    public MemoryGuardOptions Memory { get; } = new();

    /// <summary>Trace and metric export (<c>Broker:Telemetry</c>).</summary>
    public TelemetryOptions Telemetry { get; } = new();

    /// <summary>Defaults for every consumer (<c>Broker:Consumer</c>).</summary>
    public ConsumerOptions Consumer { get; } = new();

    /// <summary>The inspection command host (<c>Broker:Inspection</c>).</summary>
    public InspectionOptions Inspection { get; } = new();
}
