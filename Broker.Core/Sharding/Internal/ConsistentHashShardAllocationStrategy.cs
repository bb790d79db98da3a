using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using Broker.Hashing;
using Broker.Hosting.Internal;
using Broker.Zones.Internal;

namespace Broker.Sharding.Internal;

/// <summary>
/// Places partition shards (<c>topic/partition</c>) in two steps. Each shard has a home zone: a
/// <see cref="ConsistentHashRing"/> over the zones (weights from <c>broker.zones</c>, the same load bound)
/// assigns it. Inside the zone that hosts it, a ring of that zone's nodes (virtual nodes, each node's weight
/// from its <c>weight:N</c> role, bounded loads, so no node holds more than about
/// <see cref="ShardPlacementSettings.LoadFactor"/> times its weighted share) picks the node. Nodes without a
/// zone form one implicit zone, so a cluster without zones places exactly as one node ring. The owner of
/// every shard is a function of the node set, the shard set and the zones' failover states, so any node's
/// coordinator computes the same placement, and a node joining or leaving a zone changes the owner of only
/// about its share of that zone's shards.
/// <para>
/// A shard is hosted in its home zone while that zone has nodes and is Healthy or Recovering
/// (<see cref="ZoneFailover"/>, fed every rebalance round with each zone's <see cref="ZoneHealthScore"/>).
/// Otherwise it goes to the Healthy zones with the lowest priority number (spread over them by their
/// weights), else the Recovering ones, else stays home if home has nodes, else to any zone with nodes.
/// </para>
/// <para>
/// <see cref="AllocateShard"/> returns the new shard's owner among every shard this strategy has seen
/// (allocated, in hand-off, or handed off and not yet allocated again) and it.
/// <see cref="Rebalance"/> (every <c>akka.cluster.sharding.rebalance-interval</c>) returns shards whose region
/// is not their owner, in shard id order, while fewer than
/// <see cref="ShardPlacementSettings.MaxShardsPerRebalance"/> are in hand-off, so moves happen a few at a time,
/// and at most <see cref="ZoneSettings.FailbackShardsPerRebalance"/> of them back into a Recovering zone.
/// Shards leaving a zone that may not host (Draining or Failed) have a budget of their own,
/// <see cref="ZoneSettings.DrainShardsPerRebalance"/> in hand-off at once, so a sick zone empties in a round
/// or two without holding up other moves. Nothing moves while a member is unreachable or joining, or a
/// region's node is not a known member. Nodes that are leaving get no shards.
/// </para>
/// <para>
/// Every round it publishes each zone's <see cref="ZoneStatus"/> and each shard's home zone through the
/// <see cref="ZonePlacementPublisher"/>, if it has one (a Tell to the local replicator: it never blocks).
/// </para>
/// Zones' states live in this instance: a new coordinator (the oldest node changed) starts with every zone
/// Healthy and knows the zones configured or hosting a region. Called only by the shard coordinator actor,
/// one call at a time.
/// </summary>
internal sealed class ConsistentHashShardAllocationStrategy : IActorSystemDependentAllocationStrategy
{
    private const string NoZone = "";
    private static readonly Task<IImmutableSet<string>> NoMoves = Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    private readonly ShardPlacementSettings _settings;
    private readonly ZoneSettings _zoneSettings;
    private readonly TimeProvider _clock;
    private IRegionNodeLookup? _nodes;
    private ILoggingAdapter? _log;
    private readonly IZoneHealthSource? _health;
    private readonly ZonePlacementPublisher? _publisher;
    private readonly Dictionary<string, ConsistentHashRing> _nodeRings = new(StringComparer.Ordinal);
    private ConsistentHashRing? _homeRing;
    // Every zone seen, so a zone whose nodes are all gone keeps its home shards (hosted elsewhere) and gets
    // them back after recovering. Bounded by the zones the cluster's nodes name.
    private readonly SortedDictionary<string, (ZoneFailover Failover, ZoneHealthScore Score)> _zones = new(StringComparer.Ordinal);
    // Every shard seen: a handed-off shard leaves the allocations until its next message allocates it again
    // (up to a partition discovery interval later), and the load bound would shift other shards' owners if
    // it stopped counting meanwhile. Bounded by the region's shards, the partitions of one topic.
    private readonly HashSet<string> _shards = new(StringComparer.Ordinal);
    // Shards this strategy moved out of a zone that may not host and that are still in hand-off: they count
    // against the drain budget, not the rebalance one. Bounded by the drain budget.
    private readonly HashSet<string> _leaving = new(StringComparer.Ordinal);

    /// <param name="settings">Ring and rebalance settings.</param>
    /// <param name="nodes">The node lookup; null to use the cluster of the system passed to <see cref="Start"/>.</param>
    /// <param name="zones">Zone profiles and failover settings; null for reference.conf's.</param>
    /// <param name="health">Zone health facts; null to score a zone 100 while it hosts a region and 0 otherwise.</param>
    /// <param name="clock">Time for the failover state machines; null for the system clock.</param>
    /// <param name="publisher">Where each round's zone placement goes; null to publish nothing.</param>
    public ConsistentHashShardAllocationStrategy(ShardPlacementSettings settings, IRegionNodeLookup? nodes = null,
        ZoneSettings? zones = null, IZoneHealthSource? health = null, TimeProvider? clock = null,
        ZonePlacementPublisher? publisher = null)
    {
        _settings = settings;
        _nodes = nodes;
        _zoneSettings = zones ?? ZoneSettings.FromConfig(BrokerSettings.Reference);
        _health = health;
        _clock = clock ?? TimeProvider.System;
        _publisher = publisher;
        foreach (var zone in _zoneSettings.Zones.Keys) Track(zone);
    }

    private IRegionNodeLookup Nodes => _nodes ?? throw new InvalidOperationException("The allocation strategy was not started.");

    /// <summary>Each zone's failover state, by zone name (empty for nodes without a zone).</summary>
    public IReadOnlyDictionary<string, ZoneState> ZoneStates => _zones.ToDictionary(z => z.Key, z => z.Value.Failover.State);

    public void Start(ActorSystem system)
    {
        _nodes ??= new ClusterRegionNodeLookup(Cluster.Get(system));
        _log = Logging.GetLogger(system, "Broker.Zones");
    }

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        Remember(currentShardAllocations);
        _shards.Add(shardId);
        var placement = Place(currentShardAllocations);
        if (placement is not null) return Task.FromResult(placement.Value.Owners[shardId]);
        // No region's node is a known member yet (the cluster view lags a moment): any valid answer will do,
        // since rebalancing moves the shard to its owner once the nodes are known.
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
        ObserveZones(currentShardAllocations, rebalanceInProgress);
        _leaving.IntersectWith(rebalanceInProgress);
        var budget = _settings.MaxShardsPerRebalance - (rebalanceInProgress.Count - _leaving.Count);
        var drain = _zoneSettings.DrainShardsPerRebalance - _leaving.Count;
        if ((budget <= 0 && drain <= 0) || !Nodes.RebalanceAllowed) return NoMoves;
        // A region whose node is not a member (yet, or any more) would count as absent and lose its shards.
        if (currentShardAllocations.Keys.Any(region => Nodes.NodeOf(region) is null)) return NoMoves;
        if (Place(currentShardAllocations) is not { } placed) return NoMoves;
        var (owners, zoneOf) = placed;
        var failback = _zoneSettings.FailbackShardsPerRebalance;
        var moves = ImmutableHashSet.CreateBuilder<string>();
        foreach (var (shard, from) in currentShardAllocations
                     .SelectMany(region => region.Value.Select(shard => (shard, region.Key)))
                     .Where(x => !Equals(owners[x.shard], x.Key) && !rebalanceInProgress.Contains(x.shard))
                     .OrderBy(x => x.shard, StringComparer.Ordinal))
        {
            if (budget <= 0 && drain <= 0) break;
            var (fromZone, to) = (zoneOf[from], zoneOf[owners[shard]]);
            if (to != fromZone && _zones.TryGetValue(fromZone, out var source) && !source.Failover.Hosts)
            {
                // Out of a sick zone: its own budget, so the zone empties fast.
                if (drain <= 0) continue;
                drain--;
                _leaving.Add(shard);
                moves.Add(shard);
                continue;
            }
            if (budget <= 0) continue;
            if (to != fromZone && _zones[to].Failover.State == ZoneState.Recovering)
            {
                // Back into a recovering zone: gradually, so a relapse finds few shards there.
                if (failback == 0) continue;
                failback--;
            }
            budget--;
            moves.Add(shard);
        }
        return Task.FromResult<IImmutableSet<string>>(moves.ToImmutable());
    }

    private void Remember(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        foreach (var shards in allocations.Values) _shards.UnionWith(shards);
    }

    private void Track(string zone)
    {
        if (_zones.ContainsKey(zone)) return;
        _zones[zone] = (new ZoneFailover(_zoneSettings, _clock.GetUtcNow()), new ZoneHealthScore(_zoneSettings.Score));
        _homeRing = null;
    }

    /// <summary>Feeds every zone's score and hosting facts to its failover state machine.</summary>
    private void ObserveZones(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations, IImmutableSet<string> inProgress)
    {
        var hosting = new Dictionary<string, int>(StringComparer.Ordinal);
        var away = new Dictionary<string, int>(StringComparer.Ordinal); // shards hosted outside their home zone, or in hand-off
        foreach (var (region, shards) in allocations)
            if (Nodes.NodeOf(region) is { } node) Track(node.Zone ?? NoZone);
        var facts = _health?.Facts();
        if (facts is not null)
            foreach (var fact in facts) Track(fact.Zone);
        var homes = HomeRing().Assign(_shards);
        foreach (var (region, shards) in allocations)
        {
            if (Nodes.NodeOf(region) is not { } node) continue;
            var zone = node.Zone ?? NoZone;
            hosting[zone] = hosting.GetValueOrDefault(zone) + shards.Count;
            foreach (var shard in shards)
                if (homes[shard] != zone) away[homes[shard]] = away.GetValueOrDefault(homes[shard]) + 1;
        }
        foreach (var shard in inProgress) away[homes[shard]] = away.GetValueOrDefault(homes[shard]) + 1;

        var now = _clock.GetUtcNow();
        var byZone = facts?.GroupBy(f => f.Zone).ToDictionary(g => g.Key, g => (IReadOnlyCollection<ZoneNodeFacts>)g.ToList(), StringComparer.Ordinal);
        var statuses = _publisher is null ? null : new List<ZoneStatus>(_zones.Count);
        foreach (var (zone, (failover, score)) in _zones)
        {
            var nodes = byZone is not null && byZone.TryGetValue(zone, out var n) ? n : [];
            var value = byZone is null ? (hosting.ContainsKey(zone) ? 100 : 0) : score.Update(nodes, now);
            var was = failover.State;
            if (failover.Observe(value, now, hostsNone: hosting.GetValueOrDefault(zone) == 0, allHome: away.GetValueOrDefault(zone) == 0))
                Log(zone, was, failover.State, value);
            statuses?.Add(new ZoneStatus(_publisher!.Consumer, zone, failover.State, failover.Since, value,
                nodes.Select(f => f.Node).Where(a => a.Length > 0).Order(StringComparer.Ordinal).ToArray(),
                homes.Count(h => h.Value == zone), hosting.GetValueOrDefault(zone)));
        }
        if (statuses is not null) _publisher!.Publish(statuses, homes);
    }

    private void Log(string zone, ZoneState from, ZoneState to, double score)
    {
        if (_log is null) return;
        var consumer = _publisher?.Consumer ?? "";
        // Leaving is what an operator must notice; coming back is good news.
        if (to is ZoneState.Draining or ZoneState.Failed)
            _log.Warning("Zone {0} of consumer {1}: {2} -> {3} (score {4:F0}, failover threshold {5})", zone, consumer, from, to, score,
                _zoneSettings.FailoverThreshold);
        else
            _log.Info("Zone {0} of consumer {1}: {2} -> {3} (score {4:F0})", zone, consumer, from, to, score);
    }

    /// <summary>Each known shard's owner among the regions, and each region's zone; null when no region's node is known.</summary>
    private (Dictionary<string, IActorRef> Owners, Dictionary<IActorRef, string> ZoneOf)? Place(
        IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var known = new List<(IActorRef Region, RegionNode Node)>();
        foreach (var region in allocations.Keys)
            if (Nodes.NodeOf(region) is { } node) known.Add((region, node));
        var eligible = known.Where(k => !k.Node.Leaving).ToList();
        if (eligible.Count == 0) eligible = known;
        if (eligible.Count == 0) return null;

        // One region per node id: a restarted node's old region can be listed until its termination is seen.
        var regionOf = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        var zoneOf = new Dictionary<IActorRef, string>();
        var nodesOf = new SortedDictionary<string, List<RingNode>>(StringComparer.Ordinal);
        foreach (var (region, node) in known) zoneOf[region] = node.Zone ?? NoZone;
        foreach (var (region, node) in eligible.OrderBy(e => e.Region.Path.ToSerializationFormat(), StringComparer.Ordinal))
        {
            if (!regionOf.TryAdd(node.Id, region)) continue;
            var zone = node.Zone ?? NoZone;
            Track(zone);
            if (!nodesOf.TryGetValue(zone, out var nodes)) nodesOf[zone] = nodes = new List<RingNode>();
            nodes.Add(new RingNode(node.Id, node.Weight));
        }

        var hostedIn = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var displaced = new List<(string Shard, string Home)>();
        foreach (var (shard, home) in HomeRing().Assign(_shards))
        {
            if (nodesOf.ContainsKey(home) && _zones[home].Failover.Hosts) Add(hostedIn, home, shard);
            else displaced.Add((shard, home));
        }
        if (displaced.Count > 0)
        {
            var refuge = BestZones(nodesOf.Keys, ZoneState.Healthy) ?? BestZones(nodesOf.Keys, ZoneState.Recovering);
            if (refuge is not null)
                foreach (var (shard, zone) in ZoneRing(refuge).Assign(displaced.Select(d => d.Shard))) Add(hostedIn, zone, shard);
            else
            {
                // No zone may host: a home zone with nodes keeps its shards, the others spread over the zones with nodes.
                var homeless = new List<string>();
                foreach (var (shard, home) in displaced)
                    if (nodesOf.ContainsKey(home)) Add(hostedIn, home, shard);
                    else homeless.Add(shard);
                if (homeless.Count > 0)
                    foreach (var (shard, zone) in ZoneRing(nodesOf.Keys.ToList()).Assign(homeless)) Add(hostedIn, zone, shard);
            }
        }

        var owners = new Dictionary<string, IActorRef>(_shards.Count, StringComparer.Ordinal);
        foreach (var (zone, shards) in hostedIn)
            foreach (var (shard, nodeId) in NodeRing(zone, nodesOf[zone]).Assign(shards)) owners[shard] = regionOf[nodeId];
        return (owners, zoneOf);
    }

    private static void Add(Dictionary<string, List<string>> hostedIn, string zone, string shard)
    {
        if (!hostedIn.TryGetValue(zone, out var shards)) hostedIn[zone] = shards = new List<string>();
        shards.Add(shard);
    }

    /// <summary>The zones among <paramref name="withNodes"/> in <paramref name="state"/> with the lowest priority number; null if none.</summary>
    private List<string>? BestZones(IEnumerable<string> withNodes, ZoneState state)
    {
        var zones = withNodes.Where(z => _zones[z].Failover.State == state).ToList();
        if (zones.Count == 0) return null;
        var best = zones.Min(z => _zoneSettings.Profile(z).Priority);
        return zones.Where(z => _zoneSettings.Profile(z).Priority == best).ToList();
    }

    /// <summary>The ring of every zone seen, by weight: it gives each shard its home zone.</summary>
    private ConsistentHashRing HomeRing() => _homeRing ??= ZoneRing(_zones.Keys.ToList());

    private ConsistentHashRing ZoneRing(List<string> zones) =>
        new(zones.Select(z => new RingNode(z, _zoneSettings.Profile(z).Weight)), _settings.VirtualNodes, _settings.LoadFactor);

    private ConsistentHashRing NodeRing(string zone, List<RingNode> nodes)
    {
        nodes.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        if (!_nodeRings.TryGetValue(zone, out var ring) || !ring.Nodes.SequenceEqual(nodes))
            _nodeRings[zone] = ring = new ConsistentHashRing(nodes, _settings.VirtualNodes, _settings.LoadFactor);
        return ring;
    }
}
