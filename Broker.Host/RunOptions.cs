namespace Broker.Host;

/// <summary>The flags of the <c>run</c> verb.</summary>
/// <param name="Duration">Stop gracefully after this long; null runs until Ctrl+C/SIGTERM.</param>
/// <param name="SummaryJson">Where to write the JSON summary at exit, if anywhere.</param>
/// <param name="Rate">Demo producer records per second.</param>
/// <param name="Keys">Distinct customers (record keys) of the demo producer.</param>
/// <param name="DemoDelay">The sample handler's simulated downstream latency per order.</param>
/// <param name="DemoPoison">Fraction (0..1) of demo records that are not JSON.</param>
/// <param name="DemoOutage">How long the sample's downstream fails every call, from about 10 s after start.</param>
/// <param name="DemoOutageZone">When given, the outage happens only on nodes of this zone (<c>--demo-outage-zone</c>).</param>
/// <param name="Partitions">Embedded topic partitions, when given.</param>
/// <param name="Bootstrap">An existing Kafka to consume, when given.</param>
/// <param name="Topic">The topic to consume.</param>
/// <param name="Group">The consumer group, when given.</param>
/// <param name="Verbose">Show Information logs.</param>
/// <param name="Port">Akka.Remote port, when given.</param>
/// <param name="Seeds">
/// Akka addresses of nodes to join; when any are given they replace the whole <c>Broker:Cluster:SeedNodes</c>
/// list (a configuration key per seed would only override the same index and leave further seeds in place).
/// </param>
/// <param name="Zone">This node's zone, when given.</param>
/// <param name="NodeName">This node's name, when given.</param>
/// <param name="Weight">This node's placement weight, when given.</param>
/// <param name="InspectionPort">The inspection command port, when given.</param>
internal sealed record RunOptions(
    TimeSpan? Duration,
    string? SummaryJson,
    int Rate,
    int Keys,
    TimeSpan DemoDelay,
    double DemoPoison,
    TimeSpan DemoOutage,
    string? DemoOutageZone,
    int? Partitions,
    string? Bootstrap,
    string Topic,
    string? Group,
    bool Verbose,
    int? Port,
    IReadOnlyList<string> Seeds,
    string? Zone,
    string? NodeName,
    double? Weight,
    int? InspectionPort)
{
    /// <summary>
    /// How long the sample's downstream fails on a node of <paramref name="nodeZone"/> (its <c>Broker:Cluster:Zone</c>,
    /// null or empty when it has none): <see cref="DemoOutage"/>, unless <see cref="DemoOutageZone"/> names another zone.
    /// </summary>
    public TimeSpan OutageIn(string? nodeZone) =>
        DemoOutageZone is null || string.Equals(DemoOutageZone, nodeZone, StringComparison.Ordinal) ? DemoOutage : TimeSpan.Zero;

    /// <summary>
    /// The <c>Broker:*</c> keys these flags set. Only flags given on the command line appear, so the same
    /// keys from the environment or appsettings.json still apply otherwise. Values are not checked here:
    /// Broker's validator refuses bad ones naming the key, the value and the fix. The seeds are not among
    /// them (see <see cref="Seeds"/>).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (Bootstrap is not null) yield return new("Broker:BootstrapServers", Bootstrap);
        if (Partitions is { } partitions) yield return new("Broker:Embedded:Partitions", partitions.ToString(invariant));
        if (Group is not null) yield return new("Broker:GroupId", Group);
        if (Port is { } port) yield return new("Broker:Cluster:Port", port.ToString(invariant));
        if (Zone is not null) yield return new("Broker:Cluster:Zone", Zone);
        if (NodeName is not null) yield return new("Broker:Cluster:NodeName", NodeName);
        if (Weight is { } weight) yield return new("Broker:Cluster:Weight", weight.ToString("R", invariant));
        if (InspectionPort is { } inspection) yield return new("Broker:Inspection:Port", inspection.ToString(invariant));
    }
}
