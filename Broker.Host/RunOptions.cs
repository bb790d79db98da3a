namespace Broker.Host;

/// <summary>The flags of the <c>run</c> verb.</summary>
/// <param name="Duration">Stop gracefully after this long; null runs until Ctrl+C/SIGTERM.</param>
/// <param name="SummaryJson">Where to write the JSON summary at exit, if anywhere.</param>
/// <param name="Rate">Demo producer records per second.</param>
/// <param name="Keys">Distinct customers (record keys) of the demo producer.</param>
/// <param name="DemoDelay">The sample handler's simulated downstream latency per order.</param>
/// <param name="DemoPoison">Fraction (0..1) of demo records that are not JSON.</param>
/// <param name="DemoOutage">How long the sample's downstream fails every call, from about 10 s after start.</param>
/// <param name="Partitions">Embedded topic partitions, when given.</param>
/// <param name="Bootstrap">An existing Kafka to consume, when given.</param>
/// <param name="Topic">The topic to consume.</param>
/// <param name="Group">The consumer group, when given.</param>
/// <param name="Verbose">Show Information logs.</param>
internal sealed record RunOptions(
    TimeSpan? Duration,
    string? SummaryJson,
    int Rate,
    int Keys,
    TimeSpan DemoDelay,
    double DemoPoison,
    TimeSpan DemoOutage,
    int? Partitions,
    string? Bootstrap,
    string Topic,
    string? Group,
    bool Verbose)
{
    /// <summary>
    /// The <c>Broker:*</c> keys these flags set. Only flags given on the command line appear, so the same
    /// keys from the environment or appsettings.json still apply otherwise.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        if (Bootstrap is not null) yield return new("Broker:BootstrapServers", Bootstrap);
        if (Partitions is { } partitions) yield return new("Broker:Embedded:Partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Group is not null) yield return new("Broker:GroupId", Group);
    }
}
