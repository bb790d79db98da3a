using System.Text.RegularExpressions;
using Broker.Telemetry.Internal;

namespace Broker.Hosting.Internal;

/// <summary>
/// The one place Broker's options are checked. Each problem is one line naming the key (or, for values
/// set in code, the consumer and property), the value, what is wrong and the fix.
/// </summary>
internal static partial class BrokerOptionsValidator
{
    private const string P = BrokerOptionsBinder.SectionName;

    /// <summary>librdkafka properties Broker sets itself; passing them through Broker:Kafka would break its guarantees.</summary>
    private static readonly HashSet<string> ManagedKafkaKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store", "enable.partition.eof",
        "auto.offset.reset", "partition.assignment.strategy", "enable.idempotence", "transactional.id",
    };

    private static readonly HashSet<string> SplitBrainStrategies = new(StringComparer.Ordinal) { "keep-majority", "keep-oldest", "down-all" };

    private static readonly HashSet<string> PersistenceProviders = new(StringComparer.OrdinalIgnoreCase) { "sqlite", "postgresql" };

    [GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$")]
    private static partial Regex TopicName();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$")]
    private static partial Regex SystemNameFormat();

    public static bool IsValidSystemName(string name) => SystemNameFormat().IsMatch(name);

    public static void Validate(BrokerOptions o, string systemName, List<string> problems)
    {
        if (o.BootstrapServers is { } servers && !string.IsNullOrWhiteSpace(servers))
        {
            foreach (var entry in servers.Split(',', StringSplitOptions.TrimEntries))
            {
                var colon = entry.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(entry[(colon + 1)..], out var port) || port is < 1 or > 65535)
                {
                    problems.Add($"{P}:BootstrapServers = '{servers}': '{entry}' is not host:port. " +
                                 "Fix: list brokers as host:port separated by commas, or leave it empty to start the embedded Kafka.");
                    break;
                }
            }
        }
        if (o.GroupId is { } group && string.IsNullOrWhiteSpace(group))
            problems.Add($"{P}:GroupId = '{group}': a consumer group id cannot be blank. Fix: set a name such as 'orders-service' or remove the key (default 'broker').");

        foreach (var (key, value) in o.Kafka)
        {
            if (ManagedKafkaKeys.Contains(key))
                problems.Add($"{P}:Kafka:{key} = '{value}': Broker sets this librdkafka property itself. " +
                             $"Fix: remove it (use {P}:BootstrapServers, {P}:GroupId or {P}:Consumer:AutoOffsetReset where one exists).");
            else if (Kafka.Internal.LibRdKafka.CheckProperty(key, value) is { } refusal)
                problems.Add($"{P}:Kafka:{key} = '{value}': librdkafka refuses it: {refusal}. " +
                             "Fix: use a property and value from librdkafka's CONFIGURATION.md, or remove it.");
        }

        Range(o.Embedded.Brokers, 1, 16, $"{P}:Embedded:Brokers", "brokers", problems);
        Range(o.Embedded.Partitions, 1, 10_000, $"{P}:Embedded:Partitions", "partitions", problems);

        if (o.Cluster.Hostname is { } host && string.IsNullOrWhiteSpace(host))
            problems.Add($"{P}:Cluster:Hostname = '{host}': cannot be blank. Fix: set the address other nodes reach this one at, or remove it (default 127.0.0.1).");
        if (o.Cluster.PublicHostname is { } publicHost && string.IsNullOrWhiteSpace(publicHost))
            problems.Add($"{P}:Cluster:PublicHostname = '{publicHost}': cannot be blank. Fix: set the name or address other nodes reach this one at (e.g. the container's service name), or remove it (default: {P}:Cluster:Hostname).");
        // Akka advertises the bind address unless told otherwise, and no other node can connect to 0.0.0.0.
        if (o.Cluster.Hostname is { } bind && IsWildcard(bind) && string.IsNullOrWhiteSpace(o.Cluster.PublicHostname))
            problems.Add($"{P}:Cluster:Hostname = '{bind}': binds every interface, but this node would advertise '{bind}', which no other node can connect to. " +
                         $"Fix: set {P}:Cluster:PublicHostname to the name or address other nodes reach this one at (in a container, its service name), or bind to that address instead.");
        Range(o.Cluster.Port, 0, 65535, $"{P}:Cluster:Port", "port", problems);
        if (o.Cluster.Weight is { } weight && (!double.IsFinite(weight) || weight <= 0 || weight > 100))
            problems.Add($"{P}:Cluster:Weight = '{weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}': must be above 0 and at most 100 " +
                         "(this node's share of the partitions relative to the other nodes' weights). " +
                         "Fix: set e.g. 2 for a node that should take twice the partitions of a weight-1 node, or remove the key (default 1).");
        for (var i = 0; i < o.Cluster.SeedNodes.Count; i++)
        {
            var seed = o.Cluster.SeedNodes[i];
            if (!Akka.Actor.Address.TryParse(seed, out var address) || address.Port is null)
                problems.Add($"{P}:Cluster:SeedNodes:{i} = '{seed}': not an Akka address. Fix: write akka.tcp://<system>@<host>:<port>.");
            else if (address.System != systemName)
                problems.Add($"{P}:Cluster:SeedNodes:{i} = '{seed}': names ActorSystem '{address.System}' but this node's is '{systemName}'. Fix: use the same system name on every node.");
        }

        Name(o.Cluster.NodeName, $"{P}:Cluster:NodeName", "the node's name, e.g. 'node-1'", problems);
        Name(o.Cluster.Zone, $"{P}:Cluster:Zone", "the zone's name, e.g. 'eu-west-1a'", problems);
        foreach (var (zone, z) in o.Zones)
        {
            Name(zone, $"{P}:Zones:{zone}", "a zone name such as 'eu-west-1a' (the one nodes give in Broker:Cluster:Zone)", problems);
            Range(z.Priority, 0, 1000, $"{P}:Zones:{zone}:Priority", "lower is tried first when a zone fails", problems);
            if (z.Weight is { } zw && (!double.IsFinite(zw) || zw <= 0 || zw > 100))
                problems.Add($"{P}:Zones:{zone}:Weight = '{zw.ToString(System.Globalization.CultureInfo.InvariantCulture)}': must be above 0 and at most 100 " +
                             "(the zone's share of home partitions relative to the other zones' weights). " +
                             "Fix: set e.g. 2 for a zone that should be home to twice the partitions of a weight-1 zone, or remove the key (default 1).");
        }
        if (o.Cluster.SplitBrainResolver is { } sbr && !SplitBrainStrategies.Contains(sbr))
            problems.Add($"{P}:Cluster:SplitBrainResolver = '{sbr}': not a strategy Broker supports. Fix: use keep-majority (default), keep-oldest or down-all.");
        Duration(o.Cluster.StableAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), $"{P}:Cluster:StableAfter", problems);

        if (o.Persistence.Provider is { } provider && !PersistenceProviders.Contains(provider))
            problems.Add($"{P}:Persistence:Provider = '{provider}': not a database Broker supports. Fix: use sqlite or postgresql.");
        if (o.Persistence.ConnectionString is { } cs && string.IsNullOrWhiteSpace(cs))
            problems.Add($"{P}:Persistence:ConnectionString = '{cs}': cannot be blank. Fix: remove it (default 'Data Source=broker.db', SQLite) or set one, e.g. 'Host=db;Database=broker;Username=broker;Password=...'.");

        ValidateMemory(o.Memory, problems);
        ValidateTelemetry(o.Telemetry, Environment.GetEnvironmentVariable(TelemetrySettings.OtlpEndpointVariable), problems);
        ValidateConsumer(o.Consumer, $"{P}:Consumer:", problems);
        ValidateInspection(o.Inspection, problems);
    }

    private static void ValidateInspection(InspectionOptions o, List<string> problems)
    {
        Range(o.Port, 0, 65535, $"{P}:Inspection:Port", "port", problems);
        if (o.Hostname is { } host && string.IsNullOrWhiteSpace(host))
            problems.Add($"{P}:Inspection:Hostname = '{host}': cannot be blank. Fix: set the address to serve inspection commands on, or remove it (default 127.0.0.1).");
        // The token is a secret: problems show its length, never its value.
        if (o.Token is { Length: > 0 } token && token.Trim().Length < Inspection.Internal.InspectionSettings.MinTokenLength)
            problems.Add($"{P}:Inspection:Token = '<{token.Length} characters>': too short to guess-proof the command port. " +
                         $"Fix: use a random secret of at least {Inspection.Internal.InspectionSettings.MinTokenLength} characters.");
        if (o.Enabled != false && string.IsNullOrEmpty(o.Token) && o.Hostname is { } h && !string.IsNullOrWhiteSpace(h)
            && !Inspection.Internal.InspectionSettings.IsLoopback(h))
            problems.Add($"{P}:Inspection:Hostname = '{h}': serving inspection commands beyond loopback requires a token, and {P}:Inspection:Token is not set. " +
                         $"Fix: set {P}:Inspection:Token to a random secret of at least {Inspection.Internal.InspectionSettings.MinTokenLength} characters (clients pass it with --token), or bind to 127.0.0.1.");
    }

    /// <summary>Checks <paramref name="o"/> and <paramref name="environmentEndpoint"/>, the value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public static void ValidateTelemetry(TelemetryOptions o, string? environmentEndpoint, List<string> problems)
    {
        // Blank means none, as in reference.conf: an empty Broker__Telemetry__OtlpEndpoint is not an error.
        if (o.OtlpEndpoint is { } endpoint && !string.IsNullOrWhiteSpace(endpoint) && !IsHttpUrl(endpoint))
            problems.Add($"{P}:Telemetry:OtlpEndpoint = '{endpoint}': not an absolute http:// or https:// URL. " +
                         "Fix: write the collector's base URL, e.g. http://otel-collector:4317 (gRPC) or http://otel-collector:4318 with OtlpProtocol http/protobuf, or remove the key.");
        else if (string.IsNullOrWhiteSpace(o.OtlpEndpoint) && !string.IsNullOrWhiteSpace(environmentEndpoint) && !IsHttpUrl(environmentEndpoint))
            problems.Add($"{TelemetrySettings.OtlpEndpointVariable} (environment variable) = '{environmentEndpoint}': not an absolute http:// or https:// URL. " +
                         $"Fix: set it to the collector's base URL, e.g. http://otel-collector:4317, unset it, or set {P}:Telemetry:OtlpEndpoint, which takes precedence.");
        if (o.OtlpProtocol is { } protocol && TelemetrySettings.ParseProtocol(protocol) is null)
            problems.Add($"{P}:Telemetry:OtlpProtocol = '{protocol}': not an OTLP transport Broker exports with. Fix: write grpc (port 4317 by convention) or http/protobuf (port 4318).");
        Range(o.PrometheusPort, 0, 65535, $"{P}:Telemetry:PrometheusPort", "port; 0 for none", problems);
        if (o.PrometheusHost is { } host && (string.IsNullOrWhiteSpace(host) || host != "*" && Uri.CheckHostName(host) == UriHostNameType.Unknown))
            problems.Add($"{P}:Telemetry:PrometheusHost = '{host}': not a host name. Fix: write localhost, a host name or address of this machine, or * for every interface.");
    }

    private static bool IsWildcard(string host) =>
        System.Net.IPAddress.TryParse(host.Trim(), out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any));

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void ValidateMemory(MemoryGuardOptions o, List<string> problems)
    {
        long? pause = null, resume = null;
        foreach (var (key, value, set) in new (string, string?, Action<long>)[]
                 {
                     ("PauseAbove", o.PauseAbove, v => pause = v), ("ResumeBelow", o.ResumeBelow, v => resume = v),
                 })
        {
            if (value is null) continue;
            try
            {
                set(MemorySize.Parse(value));
            }
            catch (FormatException e)
            {
                problems.Add($"{P}:Memory:{key} = '{value}': {e.Message} Fix: write a size such as 512MB or a share such as 40%.");
            }
        }
        var effectivePause = pause ?? MemorySize.Parse(BrokerSettings.Reference.GetString("broker.memory.pause-above"));
        var effectiveResume = resume ?? MemorySize.Parse(BrokerSettings.Reference.GetString("broker.memory.resume-below"));
        if ((pause is not null || resume is not null) && effectiveResume >= effectivePause)
            problems.Add($"{P}:Memory:ResumeBelow = '{o.ResumeBelow ?? "30%"}': must be below Broker:Memory:PauseAbove ('{o.PauseAbove ?? "40%"}'). " +
                         "Fix: lower ResumeBelow or raise PauseAbove.");
    }

    /// <summary>Checks the values set in <paramref name="o"/>; <paramref name="prefix"/> is prepended to each property name.</summary>
    public static void ValidateConsumer(ConsumerOptions o, string prefix, List<string> problems)
    {
        Range(o.MaxInFlight, 1, 10_000_000, prefix + nameof(o.MaxInFlight), "records", problems);
        Range(o.MaxInFlightPerPartition, 1, 1_000_000, prefix + nameof(o.MaxInFlightPerPartition), "records", problems);
        Range(o.MaxInFlightPerKey, 1, 1_000_000, prefix + nameof(o.MaxInFlightPerKey), "records", problems);
        Range(o.MaxPollRecords, 1, 100_000, prefix + nameof(o.MaxPollRecords), "records", problems);
        Range(o.MaxLiveKeys, 1, 10_000_000, prefix + nameof(o.MaxLiveKeys), "keyed consumers", problems);
        if (o.ResumeAt is { } r && (double.IsNaN(r) || r < 0 || r >= 1))
            problems.Add($"{prefix}{nameof(o.ResumeAt)} = '{r}': must be at least 0 and below 1 (a share of MaxInFlightPerPartition). Fix: use e.g. 0.5.");
        Duration(o.CommitInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), prefix + nameof(o.CommitInterval), problems);
        Duration(o.DrainTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10), prefix + nameof(o.DrainTimeout), problems);
        Duration(o.PartitionDiscoveryInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), prefix + nameof(o.PartitionDiscoveryInterval), problems);
        Duration(o.PassivateIdleAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), prefix + nameof(o.PassivateIdleAfter), problems);
        Range(o.MaxAttempts, 1, 1_000, prefix + nameof(o.MaxAttempts), "handler calls", problems);
        Duration(o.RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromHours(1), prefix + nameof(o.RetryBaseDelay), problems);
        Duration(o.RetryMaxDelay, TimeSpan.Zero, TimeSpan.FromHours(1), prefix + nameof(o.RetryMaxDelay), problems);
        Duration(o.HandlerTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), prefix + nameof(o.HandlerTimeout), problems);
        if (o.MaxRecordsPerSecond is { } rps && (double.IsNaN(rps) || rps < 0 || rps > 10_000_000))
            problems.Add($"{prefix}{nameof(o.MaxRecordsPerSecond)} = '{rps}': must be between 0 (no limit) and 10000000 (records/s). Fix: set a rate in that range or remove the key.");
        Range(o.MaxConcurrentHandlers, 0, 1_000_000, prefix + nameof(o.MaxConcurrentHandlers), "handler calls; 0 = no limit", problems);
        var b = o.Breaker;
        var bp = prefix + "Breaker:";
        Range(b.WindowCalls, 1, 100_000, bp + nameof(b.WindowCalls), "calls", problems);
        Duration(b.WindowDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), bp + nameof(b.WindowDuration), problems);
        Range(b.MinimumCalls, 1, 100_000, bp + nameof(b.MinimumCalls), "calls", problems);
        Share(b.FailureRate, bp + nameof(b.FailureRate), problems);
        Duration(b.SlowCallDuration, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), bp + nameof(b.SlowCallDuration), problems);
        Share(b.SlowCallRate, bp + nameof(b.SlowCallRate), problems);
        Duration(b.OpenDuration, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), bp + nameof(b.OpenDuration), problems);
        Range(b.HalfOpenCalls, 1, 1_000, bp + nameof(b.HalfOpenCalls), "calls", problems);
        Duration(o.WatermarkFlushInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), prefix + nameof(o.WatermarkFlushInterval), problems);
        Range(o.MaxWatermarksPerPartition, 100, 10_000_000, prefix + nameof(o.MaxWatermarksPerPartition), "keys", problems);
        if (o.DeadLetterTopicSuffix is { } suffix && (suffix.Length == 0 || !TopicName().IsMatch("t" + suffix)))
            problems.Add($"{prefix}{nameof(o.DeadLetterTopicSuffix)} = '{suffix}': topic names may only contain letters, digits, '.', '_' and '-'. Fix: use e.g. '.dlt'.");
    }

    /// <summary>Checks what only the merged settings show (one value bounded by another).</summary>
    public static void ValidateEffective(ConsumerSettings s, string where, List<string> problems)
    {
        if (s.RetryBaseDelay > s.RetryMaxDelay)
            problems.Add($"{where}: RetryBaseDelay = {s.RetryBaseDelay} is above RetryMaxDelay = {s.RetryMaxDelay}. " +
                         $"Fix: lower {P}:Consumer:RetryBaseDelay or raise {P}:Consumer:RetryMaxDelay.");
        if (s.Breaker.MinimumCalls > s.Breaker.WindowCalls)
            problems.Add($"{where}: Breaker:MinimumCalls = {s.Breaker.MinimumCalls} is above Breaker:WindowCalls = {s.Breaker.WindowCalls}, so the breaker could never open. " +
                         $"Fix: lower {P}:Consumer:Breaker:MinimumCalls or raise {P}:Consumer:Breaker:WindowCalls.");
        if (s.MaxInFlightPerPartition > s.MaxInFlight)
            problems.Add($"{where}: MaxInFlightPerPartition = {s.MaxInFlightPerPartition} is above MaxInFlight = {s.MaxInFlight}, the bound over all partitions. " +
                         $"Fix: lower {P}:Consumer:MaxInFlightPerPartition or raise {P}:Consumer:MaxInFlight (or the same in the consumer's Options).");
        if (s.MaxInFlightPerKey > s.MaxInFlightPerPartition)
            problems.Add($"{where}: MaxInFlightPerKey = {s.MaxInFlightPerKey} is above MaxInFlightPerPartition = {s.MaxInFlightPerPartition}. " +
                         $"Fix: lower {P}:Consumer:MaxInFlightPerKey or raise {P}:Consumer:MaxInFlightPerPartition (or the same in the consumer's Options).");
    }

    public static bool IsValidTopic(string topic) => TopicName().IsMatch(topic);

    private static void Range(int? value, int min, int max, string key, string unit, List<string> problems)
    {
        if (value is { } v && (v < min || v > max))
            problems.Add($"{key} = '{v}': must be between {min} and {max} ({unit}). Fix: set a value in that range or remove the key to use the default.");
    }

    private static void Name(string? value, string key, string example, List<string> problems)
    {
        if (value is { } v && !TopicName().IsMatch(v))
            problems.Add($"{key} = '{v}': may only contain letters, digits, '.', '_' and '-' (1 to 249 of them). Fix: set {example}, or remove the key.");
    }

    private static void Share(double? value, string key, List<string> problems)
    {
        if (value is { } v && (double.IsNaN(v) || v <= 0 || v > 1))
            problems.Add($"{key} = '{v}': must be above 0 and at most 1 (a share of calls). Fix: use e.g. 0.5.");
    }

    private static void Duration(TimeSpan? value, TimeSpan min, TimeSpan max, string key, List<string> problems)
    {
        if (value is { } v && (v < min || v > max))
            problems.Add($"{key} = '{v}': must be between {min} and {max}. Fix: set a duration in that range (e.g. '5s') or remove the key to use the default.");
    }
}
