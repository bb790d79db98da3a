using Akka.Actor;
using Akka.Cluster.Sharding;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>
/// The <c>cluster-sharding</c> palette (pbm's vocabulary): asks this node's sharding regions
/// (<c>GetShardRegionState</c>, <c>GetShardRegionStats</c>, <c>GetCurrentRegions</c>) and the coordinator
/// (<c>GetClusterShardingStats</c>) when asked. Each consumer is one region, <c>broker-&lt;consumer&gt;</c>,
/// whose shards are its partitions (<c>topic/partition</c>) and whose entities are the partition owners
/// and the live keyed consumers.
/// </summary>
internal static class ShardingPalette
{
    private static readonly InspectionArgument TypeArgument =
        Positional("type", "A sharding type name as 'cluster-sharding regions' lists it (broker-<consumer>), or a consumer's name.");

    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("cluster-sharding regions", "Every sharding region on this node: its consumer and topic, shards and entities here, and how many nodes host the region.", Regions),
        Of("cluster-sharding region-stats", "Entities per shard in this node's region of <type>.", RegionStats, TypeArgument),
        Of("cluster-sharding shard-stats", "Entities per shard per node, over the whole cluster, for <type>.", ShardStats, TypeArgument),
    ];

    private static async Task<object> Regions(CommandContext ctx, CommandArguments _)
    {
        var sharding = ClusterSharding.Get(ctx.System);
        var rows = new List<RegionRow>();
        foreach (var type in sharding.ShardTypeNames.Order(StringComparer.Ordinal))
        {
            var region = sharding.ShardRegion(type);
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, CommandContext.AskTimeout, ctx.Cancellation)
                .ConfigureAwait(false);
            var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, CommandContext.AskTimeout, ctx.Cancellation)
                .ConfigureAwait(false);
            var consumer = ctx.Runtime.Consumers.FirstOrDefault(c => c.TypeName == type);
            rows.Add(new RegionRow(type, consumer?.Name, consumer?.Topic, state.Shards.Count,
                state.Shards.Sum(s => s.EntityIds.Count), regions.Regions.Count));
        }
        return new RegionList(Cluster(ctx), rows);
    }

    private static async Task<object> RegionStats(CommandContext ctx, CommandArguments args)
    {
        var (type, region) = Region(ctx, args["type"]);
        var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, CommandContext.AskTimeout, ctx.Cancellation)
            .ConfigureAwait(false);
        var shards = stats.Stats.OrderBy(s => s.Key, ShardIdComparer.Instance).Select(s => new ShardRow(s.Key, s.Value)).ToArray();
        return new RegionStatsView(type, Cluster(ctx), shards.Length, shards.Sum(s => s.Entities),
            stats.Failed.Order(ShardIdComparer.Instance).ToArray(), shards);
    }

    private static async Task<object> ShardStats(CommandContext ctx, CommandArguments args)
    {
        var (type, region) = Region(ctx, args["type"]);
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(CommandContext.AskTimeout),
            CommandContext.AskTimeout + TimeSpan.FromSeconds(1), ctx.Cancellation).ConfigureAwait(false);
        var rows = stats.Regions
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .SelectMany(r => r.Value.Stats.OrderBy(s => s.Key, ShardIdComparer.Instance)
                .Select(s => new NodeShardRow(r.Key.ToString(), s.Key, s.Value)))
            .ToArray();
        var nodes = stats.Regions
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => new NodeRow(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum(), r.Value.Failed.Count))
            .ToArray();
        return new ShardStatsView(type, nodes, rows);
    }

    private static string Cluster(CommandContext ctx) => Akka.Cluster.Cluster.Get(ctx.System).SelfAddress.ToString();

    /// <exception cref="ArgumentException">No region of that type or consumer name runs on this node.</exception>
    private static (string Type, IActorRef Region) Region(CommandContext ctx, string name)
    {
        var sharding = ClusterSharding.Get(ctx.System);
        var types = sharding.ShardTypeNames;
        var type = types.Contains(name) ? name : ctx.Runtime.Consumers.FirstOrDefault(c => c.Name == name)?.TypeName;
        if (type is null || !types.Contains(type))
            throw new ArgumentException($"no sharding type '{name}' on this node; types: {string.Join(", ", types.Order(StringComparer.Ordinal))}.");
        return (type, sharding.ShardRegion(type));
    }

    /// <summary>The answer to <c>cluster-sharding regions</c>: <paramref name="Node"/> is this node's address.</summary>
    public sealed record RegionList(string Node, IReadOnlyList<RegionRow> Regions);

    /// <summary>One region: shards and entities on this node; <paramref name="Nodes"/> hosting the region cluster-wide.</summary>
    public sealed record RegionRow(string Type, string? Consumer, string? Topic, int Shards, int Entities, int Nodes);

    /// <summary>The answer to <c>cluster-sharding region-stats</c>; <paramref name="Failed"/> lists shards that did not answer.</summary>
    public sealed record RegionStatsView(string Type, string Node, int ShardCount, int EntityCount, IReadOnlyList<string> Failed,
        IReadOnlyList<ShardRow> Shards);

    /// <summary>One shard on this node and its entities (the partition owner and the live keyed consumers).</summary>
    public sealed record ShardRow(string Shard, int Entities);

    /// <summary>The answer to <c>cluster-sharding shard-stats</c>: totals per node, then every shard.</summary>
    public sealed record ShardStatsView(string Type, IReadOnlyList<NodeRow> Nodes, IReadOnlyList<NodeShardRow> Shards);

    /// <summary>One node's region: shards, entities, and shards that did not answer.</summary>
    public sealed record NodeRow(string Node, int Shards, int Entities, int Failed);

    /// <summary>One shard on one node.</summary>
    public sealed record NodeShardRow(string Node, string Shard, int Entities);
}
