using Akka.Configuration;
using Broker.Hosting;

namespace Broker.Sharding.Internal;

/// <summary>
/// How <see cref="ConsistentHashShardAllocationStrategy"/> places and moves shards: <c>broker.sharding</c>
/// in the ActorSystem's configuration (defaults in Broker's reference.conf).
/// </summary>
/// <param name="VirtualNodes">Ring points per unit of node weight, 1..10,000.</param>
/// <param name="LoadFactor">No node gets more than ceil(this x its weighted share) of the shards; 1..10.</param>
/// <param name="MaxShardsPerRebalance">Shards in hand-off at once when rebalancing, at least 1.</param>
internal sealed record ShardPlacementSettings(int VirtualNodes, double LoadFactor, int MaxShardsPerRebalance)
{
    public const string Path = "broker.sharding";

    /// <summary>Reads <c>broker.sharding</c> from <paramref name="config"/>, the ActorSystem's whole configuration.</summary>
    /// <exception cref="BrokerConfigurationException">A value is out of range; each problem names the HOCON key.</exception>
    public static ShardPlacementSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Path);
        var settings = new ShardPlacementSettings(
            c.GetInt("virtual-nodes"), c.GetDouble("load-factor"), c.GetInt("max-shards-per-rebalance"));
        var problems = new List<string>();
        if (settings.VirtualNodes is < 1 or > 10_000)
            problems.Add($"{Path}.virtual-nodes = {settings.VirtualNodes}: must be between 1 and 10000 (ring points per unit of weight). Fix: use e.g. 160.");
        if (!double.IsFinite(settings.LoadFactor) || settings.LoadFactor < 1 || settings.LoadFactor > 10)
            problems.Add($"{Path}.load-factor = {settings.LoadFactor}: must be between 1 and 10 (a node's most shards over its weighted share). Fix: use e.g. 1.25.");
        if (settings.MaxShardsPerRebalance < 1)
            problems.Add($"{Path}.max-shards-per-rebalance = {settings.MaxShardsPerRebalance}: must be at least 1 (shards). Fix: use e.g. 2.");
        if (problems.Count > 0) throw new BrokerConfigurationException(problems);
        return settings;
    }
}
