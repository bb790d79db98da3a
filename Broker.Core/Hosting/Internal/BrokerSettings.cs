using Akka.Configuration;

namespace Broker.Hosting.Internal;

/// <summary>Broker's effective node-level settings: reference.conf overlaid with <see cref="BrokerOptions"/>.</summary>
internal sealed record BrokerSettings(
    string? BootstrapServers,
    string GroupId,
    IReadOnlyDictionary<string, string> KafkaProperties,
    int EmbeddedBrokers,
    int EmbeddedPartitions,
    string Hostname,
    string? PublicHostname,
    int Port,
    double Weight,
    IReadOnlyList<string> SeedNodes,
    string? NodeName,
    string? Zone,
    IReadOnlyDictionary<string, ZoneOptions> Zones,
    string SplitBrainResolver,
    TimeSpan StableAfter,
    string PersistenceProvider,
    string PersistenceConnectionString,
    long MemoryPauseAboveBytes,
    long MemoryResumeBelowBytes,
    ConsumerSettings Consumer)
{
    /// <summary>Broker's embedded reference.conf.</summary>
    public static Config Reference { get; } = LoadReference();

    /// <summary>True when no bootstrap servers are configured and the embedded Kafka is used.</summary>
    public bool UsesEmbeddedKafka => string.IsNullOrWhiteSpace(BootstrapServers);

    public static BrokerSettings Create(BrokerOptions o)
    {
        var r = Reference.GetConfig("broker");
        return new BrokerSettings(
            string.IsNullOrWhiteSpace(o.BootstrapServers) ? null : o.BootstrapServers.Trim(),
            o.GroupId ?? r.GetString("group-id"),
            new Dictionary<string, string>(o.Kafka, StringComparer.Ordinal),
            o.Embedded.Brokers ?? r.GetInt("embedded.brokers"),
            o.Embedded.Partitions ?? r.GetInt("embedded.partitions"),
            o.Cluster.Hostname ?? r.GetString("cluster.hostname"),
            Blank(o.Cluster.PublicHostname ?? r.GetString("cluster.public-hostname")),
            o.Cluster.Port ?? r.GetInt("cluster.port"),
            o.Cluster.Weight ?? r.GetDouble("cluster.weight"),
            o.Cluster.SeedNodes.ToArray(),
            Blank(o.Cluster.NodeName ?? r.GetString("cluster.node-name")),
            Blank(o.Cluster.Zone ?? r.GetString("cluster.zone")),
            o.Zones.ToDictionary(kv => kv.Key, kv => new ZoneOptions { Priority = kv.Value.Priority, Weight = kv.Value.Weight }, StringComparer.Ordinal),
            o.Cluster.SplitBrainResolver ?? r.GetString("cluster.split-brain-resolver"),
            o.Cluster.StableAfter ?? r.GetTimeSpan("cluster.stable-after"),
            Provider(o.Persistence.Provider ?? r.GetString("persistence.provider"),
                o.Persistence.ConnectionString ?? r.GetString("persistence.connection-string")),
            o.Persistence.ConnectionString ?? r.GetString("persistence.connection-string"),
            MemorySize.Parse(o.Memory.PauseAbove ?? r.GetString("memory.pause-above")),
            MemorySize.Parse(o.Memory.ResumeBelow ?? r.GetString("memory.resume-below")),
            ConsumerSettings.FromConfig(Reference).With(o.Consumer));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The persistence provider named, or inferred from the connection string (a <c>Host=</c> means PostgreSQL).</summary>
    private static string Provider(string provider, string connectionString) =>
        !string.IsNullOrWhiteSpace(provider) ? provider.ToLowerInvariant()
        : connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) ? "postgresql"
        : "sqlite";

    private static Config LoadReference()
    {
        using var stream = typeof(BrokerSettings).Assembly.GetManifestResourceStream("Broker.reference.conf")
                           ?? throw new InvalidOperationException("Broker.Core is missing its embedded reference.conf.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
