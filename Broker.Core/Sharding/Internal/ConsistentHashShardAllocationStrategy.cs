using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Broker.Hashing;

namespace Broker.Sharding.Internal;

/// <summary>
/// Places partition shards (<c>topic/partition</c>) on a <see cref="ConsistentHashRing"/> of the nodes that
/// host the sharding regions: virtual nodes, each node's weight from its <c>weight:N</c> role, and bounded
/// loads, so no node holds more than about <see cref="ShardPlacementSettings.LoadFactor"/> times its
/// weighted share. The owner of every shard is a function of the node set and the shard set alone, so any
/// node's coordinator computes the same placement and a node joining or leaving changes the owner of only
/// about its share of the shards.
/// <para>
/// <see cref="AllocateShard"/> returns the new shard's ring owner among every shard this strategy has seen
/// (allocated, in hand-off, or handed off and not yet allocated again) and it.
/// <see cref="Rebalance"/> (every <c>akka.cluster.sharding.rebalance-interval</c>) returns shards whose region
/// is not their ring owner, in shard id order, while fewer than
/// <see cref="ShardPlacementSettings.MaxShardsPerRebalance"/> are in hand-off, so moves happen a few at a time;
/// nothing while a member is unreachable or joining, or a region's node is not a known member. Nodes that
/// are leaving get no shards.
/// </para>
/// Called only by the shard coordinator actor, one call at a time.
/// </summary>
internal sealed class ConsistentHashShardAllocationStrategy : IActorSystemDependentAllocationStrategy
{
    private static readonly Task<IImmutableSet<string>> NoMoves = Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    private readonly ShardPlacementSettings _settings;
    private IRegionNodeLookup? _nodes;
    private ConsistentHashRing? _ring;
    // Every shard seen: a handed-off shard leaves the allocations until its next message allocates it again
    // (up to a partition discovery interval later), and the load bound would shift other shards' owners if
    // it stopped counting meanwhile. Bounded by the region's shards, the partitions of one topic.
    private readonly HashSet<string> _shards = new(StringComparer.Ordinal);

    /// <param name="settings">Ring and rebalance settings.</param>
    /// <param name="nodes">The node lookup; null to use the cluster of the system passed to <see cref="Start"/>.</param>
    public ConsistentHashShardAllocationStrategy(ShardPlacementSettings settings, IRegionNodeLookup? nodes = null)
    {
        _settings = settings;
        _nodes = nodes;
    }

    private IRegionNodeLookup Nodes => _nodes ?? throw new InvalidOperationException("The allocation strategy was not started.");

    public void Start(ActorSystem system) => _nodes ??= new ClusterRegionNodeLookup(Cluster.Get(system));

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        Remember(currentShardAllocations);
        _shards.Add(shardId);
        var placement = Place(currentShardAllocations);
        if (placement is not null) return Task.FromResult(placement[shardId]);
        // No region's node is a known member yet (the cluster view lags a moment): any valid answer will do,
        // since rebalancing moves the shard to its ring owner once the nodes are known.
        return Task.FromResult(currentShardAllocations.ContainsKey(requester)
            ? requester
            : currentShardAllocations.Keys.OrderBy(r => r.Path.ToString(), StringComparer.Ordinal).First());
    }

    public Task<IImmutableSet<string>> Rebalance(
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress)
    {
        Remember(currentShardAllocations);
        _shards.UnionWith(rebalanceInProgress);
        var budget = _settings.MaxShardsPerRebalance - rebalanceInProgress.Count;
        if (budget <= 0 || !Nodes.RebalanceAllowed) return NoMoves;
        // A region whose node is not a member (yet, or any more) would count as absent and lose its shards.
        if (currentShardAllocations.Keys.Any(region => Nodes.NodeOf(region) is null)) return NoMoves;
        var placement = Place(currentShardAllocations);
        if (placement is null) return NoMoves;
        var moves = currentShardAllocations
            .SelectMany(region => region.Value.Where(shard => !Equals(placement[shard], region.Key)))
            .Where(shard => !rebalanceInProgress.Contains(shard))
            .Order(StringComparer.Ordinal)
            .Take(budget)
            .ToImmutableHashSet();
        return Task.FromResult<IImmutableSet<string>>(moves);
    }

    private void Remember(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        foreach (var shards in allocations.Values) _shards.UnionWith(shards);
    }

    /// <summary>Each known shard's ring owner among the regions; null when no region's node is known.</summary>
    private Dictionary<string, IActorRef>? Place(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var known = new List<(IActorRef Region, RegionNode Node)>();
        foreach (var region in allocations.Keys)
            if (Nodes.NodeOf(region) is { } node) known.Add((region, node));
        var eligible = known.Where(k => !k.Node.Leaving).ToList();
        if (eligible.Count == 0) eligible = known;
        if (eligible.Count == 0) return null;

        // One region per node id: a restarted node's old region can be listed until its termination is seen.
        var regionOf = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        var ringNodes = new List<RingNode>();
        foreach (var (region, node) in eligible.OrderBy(e => e.Region.Path.ToSerializationFormat(), StringComparer.Ordinal))
        {
            if (!regionOf.TryAdd(node.Id, region)) continue;
            ringNodes.Add(new RingNode(node.Id, node.Weight));
        }
        var ring = Ring(ringNodes);
        var owners = ring.Assign(_shards);
        var placement = new Dictionary<string, IActorRef>(owners.Count, StringComparer.Ordinal);
        foreach (var (shard, nodeId) in owners) placement[shard] = regionOf[nodeId];
        return placement;
    }

    private ConsistentHashRing Ring(List<RingNode> nodes)
    {
        nodes.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        if (_ring is null || !_ring.Nodes.SequenceEqual(nodes))
            _ring = new ConsistentHashRing(nodes, _settings.VirtualNodes, _settings.LoadFactor);
        return _ring;
    }
}
