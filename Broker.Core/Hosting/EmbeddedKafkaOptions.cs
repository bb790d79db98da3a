namespace Broker.Hosting;

/// <summary>
/// The embedded Kafka started when <see cref="BrokerOptions.BootstrapServers"/> is empty
/// (configuration section <c>Broker:Embedded</c>). Null keeps the default.
/// </summary>
public sealed class EmbeddedKafkaOptions
{
    /// <summary>Number of mock brokers. Default 3. Range 1..16.</summary>
    public int? Brokers { get; set; }

    /// <summary>
    /// Partitions of every consumer topic it creates. Each mock partition keeps at most 5 MiB of
    /// records (older ones are dropped and reported), so size this for the backlog a run can build.
    /// Default 12. Range 1..10,000.
    /// </summary>
    public int? Partitions { get; set; }
}
