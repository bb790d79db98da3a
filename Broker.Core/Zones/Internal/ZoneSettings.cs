using System.Globalization;
using System.Text;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Broker.Hosting;

namespace Broker.Zones.Internal;

/// <summary>
/// Zones in partition placement: each zone's <see cref="ZoneProfile"/> (<c>broker.zones</c>) and the health
/// score and failover settings (<c>broker.zone-failover</c>), read from the ActorSystem's configuration
/// (defaults in Broker's reference.conf).
/// </summary>
/// <param name="Zones">Profiles of the zones listed under <c>broker.zones</c>, by name.</param>
/// <param name="Default">Profile of a zone not listed.</param>
/// <param name="Score">The health score's terms.</param>
/// <param name="FailoverThreshold">Score (0..100) below which, held for <paramref name="FailoverAfter"/>, a zone starts draining.</param>
/// <param name="FailoverAfter">How long the score must stay below <paramref name="FailoverThreshold"/>.</param>
/// <param name="RecoveryThreshold">Score (above <paramref name="FailoverThreshold"/>, at most 100) at or above which, held for <paramref name="RecoverAfter"/>, a drained zone recovers.</param>
/// <param name="RecoverAfter">How long the score must stay at or above <paramref name="RecoveryThreshold"/>; at least <paramref name="FailoverAfter"/>.</param>
/// <param name="RecoverAfterMax">The longest recover-after gets: it doubles each time a zone fails again before it stayed Healthy for its current recover-after; at least <paramref name="RecoverAfter"/>.</param>
/// <param name="FailbackShardsPerRebalance">Shards moved back to a recovering zone per rebalance round, at least 1.</param>
/// <param name="DrainShardsPerRebalance">Shards leaving a Draining or Failed zone in hand-off at once, at least 1 (a budget beside <c>broker.sharding.max-shards-per-rebalance</c>).</param>
/// <param name="ReportInterval">How often each node publishes its consumers' health facts; above 0.</param>
/// <param name="ReportStaleAfter">A reachable node whose report has not changed for this long counts as down; at least 2 x <paramref name="ReportInterval"/>.</param>
/// <param name="PublishInterval">The shard coordinator publishes zone placement on every change and at least this often; above 0.</param>
internal sealed record ZoneSettings(
    IReadOnlyDictionary<string, ZoneProfile> Zones,
    ZoneProfile Default,
    ZoneScoreSettings Score,
    double FailoverThreshold,
    TimeSpan FailoverAfter,
    double RecoveryThreshold,
    TimeSpan RecoverAfter,
    TimeSpan RecoverAfterMax,
    int FailbackShardsPerRebalance,
    int DrainShardsPerRebalance,
    TimeSpan ReportInterval,
    TimeSpan ReportStaleAfter,
    TimeSpan PublishInterval)
{
    public const string ZonesPath = "broker.zones";
    public const string Path = "broker.zone-failover";

    /// <summary>The profile of <paramref name="zone"/>: its own under <c>broker.zones</c>, else the default.</summary>
    public ZoneProfile Profile(string zone) => Zones.TryGetValue(zone, out var p) ? p : Default;

    /// <summary>Reads <c>broker.zones</c> and <c>broker.zone-failover</c> from <paramref name="config"/>, the ActorSystem's whole configuration.</summary>
    /// <exception cref="BrokerConfigurationException">A value is out of range or not a number; each problem names the HOCON key.</exception>
    public static ZoneSettings FromConfig(Config config)
    {
        var problems = new List<string>();
        var f = config.GetConfig(Path);
        var defaults = new ZoneProfile(f.GetInt("default-priority"), f.GetDouble("default-weight"));
        CheckProfile($"{Path}.default-", defaults, problems);

        var zones = new Dictionary<string, ZoneProfile>(StringComparer.Ordinal);
        if (config.HasPath(ZonesPath))
        {
            foreach (var (name, value) in config.GetConfig(ZonesPath).AsEnumerable())
            {
                var key = $"{ZonesPath}.\"{name}\"";
                if (!value.IsObject())
                {
                    problems.Add($"{key} = {value}: not an object. Fix: write \"{name}\" {{ priority = 0, weight = 1 }}.");
                    continue;
                }
                var z = new Config(new HoconRoot(value));
                try
                {
                    var profile = new ZoneProfile(z.GetInt("priority", defaults.Priority), z.GetDouble("weight", defaults.Weight));
                    CheckProfile(key + ".", profile, problems);
                    zones[name] = profile;
                }
                catch (Exception e) when (e is FormatException or ConfigurationException)
                {
                    problems.Add($"{key} = {value}: {e.Message} Fix: write \"{name}\" {{ priority = 0, weight = 1 }} (an integer 0..1000 and a number above 0).");
                }
            }
        }

        var s = f.GetConfig("score");
        var score = new ZoneScoreSettings(s.GetDouble("error-weight"), s.GetDouble("latency-weight"), s.GetDouble("error-rate-bad"),
            s.GetTimeSpan("latency-good"), s.GetTimeSpan("latency-bad"), s.GetTimeSpan("half-life"));
        var sp = Path + ".score.";
        if (!(score.ErrorWeight >= 0) || !(score.LatencyWeight >= 0) || !double.IsFinite(score.ErrorWeight + score.LatencyWeight)
            || score.ErrorWeight + score.LatencyWeight <= 0)
            problems.Add($"{sp}error-weight = {Num(score.ErrorWeight)}, {sp}latency-weight = {Num(score.LatencyWeight)}: each must be at least 0 and not both 0. Fix: use e.g. 0.6 and 0.4.");
        if (!(score.ErrorRateBad > 0 && score.ErrorRateBad <= 1))
            problems.Add($"{sp}error-rate-bad = {Num(score.ErrorRateBad)}: must be above 0 and at most 1 (a share of handler calls). Fix: use e.g. 0.5.");
        if (score.LatencyGood < TimeSpan.Zero || score.LatencyBad <= score.LatencyGood)
            problems.Add($"{sp}latency-bad = {score.LatencyBad}: must be above {sp}latency-good = {score.LatencyGood} (at least 0). Fix: use e.g. 250ms and 5s.");
        if (score.HalfLife <= TimeSpan.Zero || score.HalfLife > TimeSpan.FromHours(1))
            problems.Add($"{sp}half-life = {score.HalfLife}: must be above 0 and at most 1 hour. Fix: use e.g. 5s.");

        var settings = new ZoneSettings(zones, defaults, score,
            f.GetDouble("failover-threshold"), f.GetTimeSpan("failover-after"),
            f.GetDouble("recovery-threshold"), f.GetTimeSpan("recover-after"), f.GetTimeSpan("recover-after-max"), f.GetInt("failback-shards-per-rebalance"),
            f.GetInt("drain-shards-per-rebalance"), f.GetTimeSpan("report-interval"), f.GetTimeSpan("report-stale-after"),
            f.GetTimeSpan("publish-interval"));
        if (!(settings.FailoverThreshold > 0 && settings.FailoverThreshold < 100))
            problems.Add($"{Path}.failover-threshold = {Num(settings.FailoverThreshold)}: must be above 0 and below 100 (a health score). Fix: use e.g. 50.");
        else if (!(settings.RecoveryThreshold > settings.FailoverThreshold && settings.RecoveryThreshold <= 100))
            problems.Add($"{Path}.recovery-threshold = {Num(settings.RecoveryThreshold)}: must be above failover-threshold ({Num(settings.FailoverThreshold)}) and at most 100, " +
                         "so a zone hovering at the threshold does not flap. Fix: use e.g. 80.");
        if (settings.FailoverAfter < TimeSpan.Zero || settings.FailoverAfter > TimeSpan.FromHours(1))
            problems.Add($"{Path}.failover-after = {settings.FailoverAfter}: must be between 0 and 1 hour. Fix: use e.g. 5s.");
        else if (settings.RecoverAfter < settings.FailoverAfter || settings.RecoverAfter > TimeSpan.FromDays(1))
            problems.Add($"{Path}.recover-after = {settings.RecoverAfter}: must be at least failover-after ({settings.FailoverAfter}) and at most 1 day, " +
                         "so shards come back more calmly than they leave. Fix: use e.g. 30s.");
        else if (settings.RecoverAfterMax < settings.RecoverAfter || settings.RecoverAfterMax > TimeSpan.FromDays(1))
            problems.Add($"{Path}.recover-after-max = {settings.RecoverAfterMax}: must be at least recover-after ({settings.RecoverAfter}) and at most 1 day. " +
                         "Fix: use e.g. 5m (or recover-after's value for no backoff).");
        if (settings.FailbackShardsPerRebalance < 1)
            problems.Add($"{Path}.failback-shards-per-rebalance = {settings.FailbackShardsPerRebalance}: must be at least 1 (shards). Fix: use e.g. 1.");
        if (settings.DrainShardsPerRebalance < 1)
            problems.Add($"{Path}.drain-shards-per-rebalance = {settings.DrainShardsPerRebalance}: must be at least 1 (shards in hand-off out of a draining zone). Fix: use e.g. 10.");
        if (settings.ReportInterval <= TimeSpan.Zero || settings.ReportInterval > TimeSpan.FromMinutes(1))
            problems.Add($"{Path}.report-interval = {settings.ReportInterval}: must be above 0 and at most 1 minute. Fix: use e.g. 1s.");
        else if (settings.ReportStaleAfter < 2 * settings.ReportInterval || settings.ReportStaleAfter > TimeSpan.FromHours(1))
            problems.Add($"{Path}.report-stale-after = {settings.ReportStaleAfter}: must be at least twice report-interval ({settings.ReportInterval}) and at most 1 hour, " +
                         "so one late report does not count a node as down. Fix: use e.g. 10s.");
        if (settings.PublishInterval <= TimeSpan.Zero || settings.PublishInterval > TimeSpan.FromHours(1))
            problems.Add($"{Path}.publish-interval = {settings.PublishInterval}: must be above 0 and at most 1 hour. Fix: use e.g. 10s.");
        if (problems.Count > 0) throw new BrokerConfigurationException(problems);
        return settings;
    }

    /// <summary>The HOCON for <c>broker.zones</c> holding the values set in <paramref name="zones"/> (configuration <c>Broker:Zones</c>).</summary>
    public static string Hocon(IReadOnlyDictionary<string, ZoneOptions> zones)
    {
        var hocon = new StringBuilder();
        foreach (var (name, zone) in zones.OrderBy(z => z.Key, StringComparer.Ordinal))
        {
            // Zone names are letters, digits, '.', '_' and '-' (validated): quoting keeps a '.' from nesting.
            hocon.Append(CultureInfo.InvariantCulture, $"{ZonesPath}.\"{name}\" {{");
            if (zone.Priority is { } priority) hocon.Append(CultureInfo.InvariantCulture, $"\n  priority = {priority}");
            if (zone.Weight is { } weight) hocon.Append(CultureInfo.InvariantCulture, $"\n  weight = {weight:R}");
            hocon.Append("\n}\n");
        }
        return hocon.ToString();
    }

    private static void CheckProfile(string prefix, ZoneProfile profile, List<string> problems)
    {
        if (profile.Priority is < 0 or > 1000)
            problems.Add($"{prefix}priority = {profile.Priority}: must be between 0 and 1000 (lower is tried first when a zone fails). Fix: use e.g. 0.");
        if (!double.IsFinite(profile.Weight) || profile.Weight <= 0 || profile.Weight > 100)
            problems.Add($"{prefix}weight = {Num(profile.Weight)}: must be above 0 and at most 100 (a share of home partitions relative to other zones). Fix: use e.g. 1.");
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
