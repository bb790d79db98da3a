using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace Broker.Hosting.Internal;

/// <summary>
/// Binds the <c>Broker</c> configuration section to <see cref="BrokerOptions"/>, collecting one problem
/// line per bad or unknown key instead of stopping at the first (ConfigurationBinder neither names the
/// fix nor notices typos).
/// </summary>
internal static class BrokerOptionsBinder
{
    public const string SectionName = "Broker";

    private delegate void Setter(BrokerOptions options, string value);

    private static readonly Dictionary<string, (Setter Set, string Expect)> Keys =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["BootstrapServers"] = ((o, v) => o.BootstrapServers = v, "host:port[,host:port...]"),
            ["GroupId"] = ((o, v) => o.GroupId = v, "a consumer group id"),
            ["Embedded:Brokers"] = ((o, v) => o.Embedded.Brokers = Int(v), "an integer 1..16"),
            ["Embedded:Partitions"] = ((o, v) => o.Embedded.Partitions = Int(v), "an integer 1..10000"),
            ["Cluster:Hostname"] = ((o, v) => o.Cluster.Hostname = v, "a host name or IP address"),
            ["Cluster:PublicHostname"] = ((o, v) => o.Cluster.PublicHostname = v, "a host name or IP address other nodes reach this one at"),
            ["Cluster:Port"] = ((o, v) => o.Cluster.Port = Int(v), "a port 0..65535"),
            ["Cluster:NodeName"] = ((o, v) => o.Cluster.NodeName = v, "a name of letters, digits, '.', '_' and '-'"),
            ["Cluster:Zone"] = ((o, v) => o.Cluster.Zone = v, "a zone name of letters, digits, '.', '_' and '-'"),
            ["Cluster:SplitBrainResolver"] = ((o, v) => o.Cluster.SplitBrainResolver = v, "keep-majority, keep-oldest or down-all"),
            ["Cluster:StableAfter"] = ((o, v) => o.Cluster.StableAfter = Duration(v), "a duration such as 20s"),
            ["Persistence:Provider"] = ((o, v) => o.Persistence.Provider = v, "sqlite or postgresql"),
            ["Persistence:ConnectionString"] = ((o, v) => o.Persistence.ConnectionString = v, "an ADO.NET connection string"),
            ["Consumer:Watermarks"] = ((o, v) => o.Consumer.Watermarks = Bool(v), "true or false"),
            ["Consumer:WatermarkFlushInterval"] = ((o, v) => o.Consumer.WatermarkFlushInterval = Duration(v), "a duration such as 100ms"),
            ["Consumer:MaxWatermarksPerPartition"] = ((o, v) => o.Consumer.MaxWatermarksPerPartition = Int(v), "an integer (keys)"),
            ["Cluster:Weight"] = ((o, v) => o.Cluster.Weight = Double(v), "a number above 0 such as 2"),
            ["Memory:PauseAbove"] = ((o, v) => o.Memory.PauseAbove = Size(v), "a size such as 512MB or a share such as 40%"),
            ["Memory:ResumeBelow"] = ((o, v) => o.Memory.ResumeBelow = Size(v), "a size such as 384MB or a share such as 30%"),
            ["Telemetry:OtlpEndpoint"] = ((o, v) => o.Telemetry.OtlpEndpoint = v, "a URL such as http://otel-collector:4317"),
            ["Telemetry:OtlpProtocol"] = ((o, v) => o.Telemetry.OtlpProtocol = v, "grpc or http/protobuf"),
            ["Telemetry:PrometheusPort"] = ((o, v) => o.Telemetry.PrometheusPort = Int(v), "a port 1..65535, or 0 for none"),
            ["Telemetry:PrometheusHost"] = ((o, v) => o.Telemetry.PrometheusHost = v, "localhost, a host name or address, or *"),
            ["Consumer:MaxInFlight"] = ((o, v) => o.Consumer.MaxInFlight = Int(v), "an integer (records)"),
            ["Consumer:MaxInFlightPerPartition"] = ((o, v) => o.Consumer.MaxInFlightPerPartition = Int(v), "an integer (records)"),
            ["Consumer:MaxInFlightPerKey"] = ((o, v) => o.Consumer.MaxInFlightPerKey = Int(v), "an integer (records)"),
            ["Consumer:ResumeAt"] = ((o, v) => o.Consumer.ResumeAt = Double(v), "a fraction such as 0.5"),
            ["Consumer:CommitInterval"] = ((o, v) => o.Consumer.CommitInterval = Duration(v), "a duration such as 1s"),
            ["Consumer:DrainTimeout"] = ((o, v) => o.Consumer.DrainTimeout = Duration(v), "a duration such as 10s"),
            ["Consumer:PartitionDiscoveryInterval"] = ((o, v) => o.Consumer.PartitionDiscoveryInterval = Duration(v), "a duration such as 5s"),
            ["Consumer:MaxLiveKeys"] = ((o, v) => o.Consumer.MaxLiveKeys = Int(v), "an integer (keyed consumers)"),
            ["Consumer:PassivateIdleAfter"] = ((o, v) => o.Consumer.PassivateIdleAfter = Duration(v), "a duration such as 2m"),
            ["Consumer:NullKeys"] = ((o, v) => o.Consumer.NullKeys = Enum<NullKeyPolicy>(v), "partition or dead-letter"),
            ["Consumer:HandlerLifetime"] = ((o, v) => o.Consumer.HandlerLifetime = Enum<HandlerLifetime>(v), "scoped or singleton"),
            ["Consumer:AutoOffsetReset"] = ((o, v) => o.Consumer.AutoOffsetReset = OffsetReset(v), "earliest or latest"),
            ["Consumer:MaxPollRecords"] = ((o, v) => o.Consumer.MaxPollRecords = Int(v), "an integer (records)"),
            ["Consumer:MaxAttempts"] = ((o, v) => o.Consumer.MaxAttempts = Int(v), "an integer (handler calls)"),
            ["Consumer:RetryBaseDelay"] = ((o, v) => o.Consumer.RetryBaseDelay = Duration(v), "a duration such as 100ms"),
            ["Consumer:RetryMaxDelay"] = ((o, v) => o.Consumer.RetryMaxDelay = Duration(v), "a duration such as 10s"),
            ["Consumer:HandlerTimeout"] = ((o, v) => o.Consumer.HandlerTimeout = Duration(v), "a duration such as 30s"),
            ["Consumer:MaxRecordsPerSecond"] = ((o, v) => o.Consumer.MaxRecordsPerSecond = Double(v), "a number (records/s; 0 for no limit)"),
            ["Consumer:MaxConcurrentHandlers"] = ((o, v) => o.Consumer.MaxConcurrentHandlers = Int(v), "an integer (0 for no limit)"),
            ["Consumer:Breaker:Enabled"] = ((o, v) => o.Consumer.Breaker.Enabled = Bool(v), "true or false"),
            ["Consumer:Breaker:WindowCalls"] = ((o, v) => o.Consumer.Breaker.WindowCalls = Int(v), "an integer (calls)"),
            ["Consumer:Breaker:WindowDuration"] = ((o, v) => o.Consumer.Breaker.WindowDuration = Duration(v), "a duration such as 10s"),
            ["Consumer:Breaker:MinimumCalls"] = ((o, v) => o.Consumer.Breaker.MinimumCalls = Int(v), "an integer (calls)"),
            ["Consumer:Breaker:FailureRate"] = ((o, v) => o.Consumer.Breaker.FailureRate = Double(v), "a share such as 0.5"),
            ["Consumer:Breaker:SlowCallDuration"] = ((o, v) => o.Consumer.Breaker.SlowCallDuration = Duration(v), "a duration such as 5s"),
            ["Consumer:Breaker:SlowCallRate"] = ((o, v) => o.Consumer.Breaker.SlowCallRate = Double(v), "a share such as 1.0"),
            ["Consumer:Breaker:OpenDuration"] = ((o, v) => o.Consumer.Breaker.OpenDuration = Duration(v), "a duration such as 5s"),
            ["Consumer:Breaker:HalfOpenCalls"] = ((o, v) => o.Consumer.Breaker.HalfOpenCalls = Int(v), "an integer (calls)"),
            ["Consumer:DeadLetterTopicSuffix"] = ((o, v) => o.Consumer.DeadLetterTopicSuffix = v, "a suffix such as .dlt"),
            ["Inspection:Enabled"] = ((o, v) => o.Inspection.Enabled = Bool(v), "true or false"),
            ["Inspection:Hostname"] = ((o, v) => o.Inspection.Hostname = v, "an IP address or host name"),
            ["Inspection:Port"] = ((o, v) => o.Inspection.Port = Int(v), "a port 0..65535"),
            ["Inspection:Token"] = ((o, v) => o.Inspection.Token = v, "a shared secret of at least 16 characters"),
        };

    /// <summary>Binds <paramref name="section"/> (the <c>Broker</c> section) into a new options object.</summary>
    public static BrokerOptions Bind(IConfiguration section, List<string> problems)
    {
        var options = new BrokerOptions();
        foreach (var (relative, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null) continue; // a section node, not a value
            var key = $"{SectionName}:{relative}";
            if (relative.StartsWith("Kafka:", StringComparison.OrdinalIgnoreCase))
            {
                options.Kafka[relative["Kafka:".Length..]] = value;
                continue;
            }
            if (relative.StartsWith("Cluster:SeedNodes:", StringComparison.OrdinalIgnoreCase))
            {
                options.Cluster.SeedNodes.Add(value);
                continue;
            }
            if (relative.StartsWith("Zones:", StringComparison.OrdinalIgnoreCase))
            {
                BindZone(options, key, relative["Zones:".Length..], value, problems);
                continue;
            }
            if (!Keys.TryGetValue(relative, out var entry))
            {
                problems.Add($"{key} = '{value}': not a Broker setting. Fix: remove it or use one of: " +
                             string.Join(", ", Keys.Keys.Select(k => SectionName + ":" + k)) +
                             $", {SectionName}:Kafka:<librdkafka property>, {SectionName}:Cluster:SeedNodes:<n>, {SectionName}:Zones:<zone>:Priority|Weight.");
                continue;
            }
            try
            {
                entry.Set(options, value);
            }
            catch (FormatException e)
            {
                problems.Add($"{key} = '{value}': {e.Message} Fix: write {entry.Expect}.");
            }
        }
        return options;
    }

    /// <summary>Binds <c>&lt;zone&gt;:Priority</c> or <c>&lt;zone&gt;:Weight</c> (<paramref name="rest"/>).</summary>
    private static void BindZone(BrokerOptions options, string key, string rest, string value, List<string> problems)
    {
        var colon = rest.LastIndexOf(':');
        var (zone, property) = colon > 0 ? (rest[..colon], rest[(colon + 1)..]) : (rest, "");
        try
        {
            if (property.Equals("Priority", StringComparison.OrdinalIgnoreCase))
                Zone(options, zone).Priority = Int(value);
            else if (property.Equals("Weight", StringComparison.OrdinalIgnoreCase))
                Zone(options, zone).Weight = Double(value);
            else
                problems.Add($"{key} = '{value}': not a zone setting. Fix: use {SectionName}:Zones:<zone>:Priority or {SectionName}:Zones:<zone>:Weight.");
        }
        catch (FormatException e)
        {
            problems.Add($"{key} = '{value}': {e.Message} Fix: write {(property.Equals("Priority", StringComparison.OrdinalIgnoreCase) ? "an integer 0..1000 (0 is tried first)" : "a number above 0 such as 2")}.");
        }
    }

    private static ZoneOptions Zone(BrokerOptions options, string zone)
    {
        if (!options.Zones.TryGetValue(zone, out var z)) options.Zones[zone] = z = new ZoneOptions();
        return z;
    }

    private static int Int(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            ? i
            : throw new FormatException("not an integer.");

    private static double Double(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new FormatException("not a number.");

    private static bool Bool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "on" or "yes" => true,
        "false" or "off" or "no" => false,
        _ => throw new FormatException("not true or false."),
    };

    private static T Enum<T>(string value) where T : struct, Enum =>
        System.Enum.TryParse<T>(value.Replace("-", ""), ignoreCase: true, out var e) && System.Enum.IsDefined(e)
            ? e
            : throw new FormatException("not a known value.");

    private static string Size(string value)
    {
        MemorySize.Parse(value);
        return value;
    }

    private static AutoOffsetReset OffsetReset(string value) => value.ToLowerInvariant() switch
    {
        "earliest" => AutoOffsetReset.Earliest,
        "latest" => AutoOffsetReset.Latest,
        _ => throw new FormatException("not a known value."),
    };

    /// <summary>Parses <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c> or a .NET TimeSpan (<c>00:00:05</c>).</summary>
    internal static TimeSpan Duration(string value)
    {
        var v = value.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours),
        ];
        foreach (var (suffix, make) in units)
        {
            if (!v.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(v[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
                return make(n);
        }
        if (v.Contains(':') && TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out var ts)) return ts;
        throw new FormatException("not a duration.");
    }
}
