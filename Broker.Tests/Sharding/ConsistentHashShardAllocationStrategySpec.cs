using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Broker.Hashing;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Sharding.Internal;

namespace Broker.Tests.Sharding;

/// <summary>
/// The shard allocation strategy, driven the way the shard coordinator drives it, over fake regions (test
/// probes) whose nodes come from a table: partitions land on their ring owners within the load bound, a
/// join or leave moves only the partitions whose owner changed, a few per rebalance round.
/// </summary>
public sealed partial class ConsistentHashShardAllocationStrategySpec : TestKit
{
    private static readonly ShardPlacementSettings Defaults = ShardPlacementSettings.FromConfig(BrokerSettings.Reference);
    private static readonly IImmutableSet<string> NoneInProgress = ImmutableHashSet<string>.Empty;

    private readonly FakeNodes _nodes = new();
    private readonly IActorRef _a, _b, _c, _d;

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public ConsistentHashShardAllocationStrategySpec(Xunit.Abstractions.ITestOutputHelper output) : base(output: output)
    {
        _output = output;
        _a = Region("a");
        _b = Region("b");
        _c = Region("c");
        _d = Region("d");
    }

    private IActorRef Region(string name, double weight = 1)
    {
        var region = CreateTestProbe("region-" + name).Ref;
        _nodes.Table[region] = new RegionNode($"akka.tcp://broker@{name}.example:4053", weight, Leaving: false);
        return region;
    }

    private ConsistentHashShardAllocationStrategy Strategy(ShardPlacementSettings? settings = null) =>
        new(settings ?? Defaults, _nodes);

    private static string[] Partitions(int count) => Enumerable.Range(0, count).Select(p => EntityIds.Shard("orders", p)).ToArray();

    private static IImmutableDictionary<IActorRef, IImmutableList<string>> Empty(params IActorRef[] regions) =>
        regions.ToImmutableDictionary(r => r, _ => (IImmutableList<string>)ImmutableList<string>.Empty);

    /// <summary>Allocates the shards one at a time, in order, as the coordinator does when they are first used.</summary>
    private static IImmutableDictionary<IActorRef, IImmutableList<string>> AllocateAll(IShardAllocationStrategy strategy,
        IImmutableDictionary<IActorRef, IImmutableList<string>> allocations, IEnumerable<string> shards)
    {
        foreach (var shard in shards)
        {
            var region = strategy.AllocateShard(allocations.Keys.First(), shard, allocations).Result;
            allocations = allocations.SetItem(region, allocations[region].Add(shard));
        }
        return allocations;
    }

    /// <summary>
    /// Rebalance rounds until the strategy asks for nothing: each round's shards are handed off and allocated
    /// again. Returns the final allocations and every shard moved, in order.
    /// </summary>
    /// <param name="tickBeforeReallocation">
    /// Also ask for a rebalance after the round's shards were handed off and before they are allocated again
    /// (no message for them yet), and hand off what that asks for too.
    /// </param>
    private static (IImmutableDictionary<IActorRef, IImmutableList<string>> Allocations, List<string> Moved) RebalanceUntilStable(
        IShardAllocationStrategy strategy, IImmutableDictionary<IActorRef, IImmutableList<string>> allocations, int limit = 2,
        bool tickBeforeReallocation = false)
    {
        var moved = new List<string>();
        for (var round = 0; round < 1_000; round++)
        {
            var shards = strategy.Rebalance(allocations, NoneInProgress).Result;
            if (shards.Count == 0) return (allocations, moved);
            Assert.InRange(shards.Count, 1, limit);
            allocations = Deallocate(allocations, shards);
            if (tickBeforeReallocation)
            {
                var more = strategy.Rebalance(allocations, NoneInProgress).Result;
                allocations = Deallocate(allocations, more);
                shards = shards.Union(more);
            }
            moved.AddRange(shards);
            allocations = AllocateAll(strategy, allocations, shards.Order(StringComparer.Ordinal));
        }
        throw new Xunit.Sdk.XunitException("rebalancing did not settle in 1,000 rounds");
    }

    private static IImmutableDictionary<IActorRef, IImmutableList<string>> Deallocate(
        IImmutableDictionary<IActorRef, IImmutableList<string>> allocations, IImmutableSet<string> shards) =>
        allocations.ToImmutableDictionary(kv => kv.Key,
            kv => (IImmutableList<string>)kv.Value.Where(s => !shards.Contains(s)).ToImmutableList());

    private static Dictionary<IActorRef, int> Counts(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations) =>
        allocations.ToDictionary(kv => kv.Key, kv => kv.Value.Count);

    private static Dictionary<string, IActorRef> OwnerOf(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations) =>
        allocations.SelectMany(kv => kv.Value.Select(s => (s, kv.Key))).ToDictionary(x => x.s, x => x.Key);

    [Fact]
    public void Twelve_partitions_over_three_equal_nodes_stay_within_the_load_bound()
    {
        var strategy = Strategy();
        var allocations = AllocateAll(strategy, Empty(_a, _b, _c), Partitions(12));
        Assert.All(Counts(allocations).Values, n => Assert.InRange(n, 0, 5)); // ceil(1.25 x 12 / 3), never 7/3/2

        var (settled, _) = RebalanceUntilStable(strategy, allocations);

        Assert.Equal(12, Counts(settled).Values.Sum());
        Assert.All(Counts(settled).Values, n => Assert.InRange(n, 3, 5));
        Assert.Empty(strategy.Rebalance(settled, NoneInProgress).Result); // balanced: nothing to do
    }

    [Fact]
    public void With_load_factor_one_twelve_partitions_over_three_nodes_land_4_4_4()
    {
        var strategy = Strategy(Defaults with { LoadFactor = 1 });
        var (settled, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, _c), Partitions(12)));
        Assert.Equal([4, 4, 4], Counts(settled).Values.Order());
    }

    [Fact]
    public void Placement_is_the_rings_and_does_not_depend_on_the_requester_or_the_strategy_instance()
    {
        var shards = Partitions(30);
        var (settled, _) = RebalanceUntilStable(Strategy(), AllocateAll(Strategy(), Empty(_a, _b, _c), shards));
        var ring = new ConsistentHashRing(new[] { _a, _b, _c }.Select(r => new RingNode(_nodes.Table[r].Id, _nodes.Table[r].Weight)),
            Defaults.VirtualNodes, Defaults.LoadFactor).Assign(shards);
        var regionOf = new[] { _a, _b, _c }.ToDictionary(r => _nodes.Table[r].Id);

        Assert.All(OwnerOf(settled), kv => Assert.Equal(regionOf[ring[kv.Key]], kv.Value));
        var without = settled.SetItem(_a, settled[_a].RemoveAt(0));
        var shard = settled[_a][0];
        Assert.Equal(_a, Strategy().AllocateShard(_b, shard, without).Result);
        Assert.Equal(_a, Strategy().AllocateShard(_c, shard, without).Result);
    }

    [Fact]
    public void A_joining_node_receives_only_the_shards_whose_owner_changed_a_few_per_round()
    {
        var strategy = Strategy();
        var shards = Partitions(120);
        var (three, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, _c), shards));
        var before = OwnerOf(three);

        var (four, moved) = RebalanceUntilStable(strategy, three.Add(_d, ImmutableList<string>.Empty));

        var after = OwnerOf(four);
        var changed = shards.Where(s => !Equals(before[s], after[s])).ToArray();
        Assert.Equal(changed.Order(), moved.Order()); // each moved once, and only if its owner changed
        Assert.InRange(moved.Count, 120 / 4 * 0.6, 120 / 4 + 120 * 0.05); // about 1/4, the newcomer's share
        Assert.True(moved.Count(s => Equals(after[s], _d)) >= moved.Count - 120 * 0.05, "moves are mostly to the new node");
        Assert.All(Counts(four).Values, n => Assert.InRange(n, 1, 38)); // ceil(1.25 x 120 / 4)
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.25)]
    public void A_handed_off_shard_still_counts_until_it_is_allocated_again(double loadFactor)
    {
        // ceil(c x 50 / 4) is 13 (c = 1) or 16 (c = 1.25). Were the two shards in hand-off not counted, the
        // bound would drop to 12 or 15 meanwhile and push other shards to other nodes, and back later.
        var strategy = Strategy(Defaults with { LoadFactor = loadFactor });
        var shards = Partitions(50);
        var (three, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, _c), shards));
        var before = OwnerOf(three);

        var (four, moved) = RebalanceUntilStable(strategy, three.Add(_d, ImmutableList<string>.Empty), tickBeforeReallocation: true);

        var after = OwnerOf(four);
        Assert.Equal(shards.Where(s => !Equals(before[s], after[s])).Order(), moved.Order());
    }

    [Fact]
    public void A_leaving_node_gets_no_new_shard_and_its_shards_move_a_few_per_round()
    {
        var strategy = Strategy();
        var shards = Partitions(60);
        var (settled, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, _c, _d), shards));
        var before = OwnerOf(settled);
        var itsShards = settled[_c].ToArray();
        _nodes.Table[_c] = _nodes.Table[_c] with { Leaving = true };

        var fresh = Strategy().AllocateShard(_c, "orders/60", settled).Result;
        var (after, moved) = RebalanceUntilStable(strategy, settled);

        Assert.NotEqual(_c, fresh);
        Assert.Empty(after[_c]);
        Assert.Subset(moved.ToHashSet(), itsShards.ToHashSet());
        var others = OwnerOf(after).Count(kv => !itsShards.Contains(kv.Key) && !Equals(before[kv.Key], kv.Value));
        Assert.True(others <= 3, $"{others} shards of staying nodes moved");
    }

    [Fact]
    public void Rebalance_keeps_to_the_limit_and_never_returns_a_shard_in_hand_off()
    {
        var strategy = Strategy(Defaults with { MaxShardsPerRebalance = 3 });
        var shards = Partitions(40);
        var (three, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, _c), shards), limit: 3);
        var joined = three.Add(_d, ImmutableList<string>.Empty);

        var round = strategy.Rebalance(joined, NoneInProgress).Result;
        Assert.Equal(3, round.Count); // about 10 shards belong to d now; 3 at a time

        var inProgress = round.Take(2).ToImmutableHashSet();
        var next = strategy.Rebalance(joined, inProgress).Result;
        Assert.Single(next); // 3 in hand-off at most
        Assert.DoesNotContain(next.Single(), inProgress);

        Assert.Empty(strategy.Rebalance(joined, round).Result);
    }

    [Fact]
    public void Nothing_moves_while_a_member_is_unreachable_or_joining()
    {
        var strategy = Strategy();
        var allocations = AllocateAll(strategy, Empty(_a), Partitions(12)).Add(_b, ImmutableList<string>.Empty);
        _nodes.RebalanceAllowed = false;
        Assert.Empty(strategy.Rebalance(allocations, NoneInProgress).Result);
        _nodes.RebalanceAllowed = true;
        Assert.NotEmpty(strategy.Rebalance(allocations, NoneInProgress).Result);
    }

    [Fact]
    public void A_node_of_weight_two_gets_about_twice_the_shards()
    {
        var heavy = Region("heavy", weight: 2);
        var strategy = Strategy();
        var (settled, _) = RebalanceUntilStable(strategy, AllocateAll(strategy, Empty(_a, _b, heavy), Partitions(400)));
        var counts = Counts(settled);
        Assert.InRange(counts[heavy], 170, 230); // 400 x 2/4
        Assert.InRange((double)counts[heavy] / ((counts[_a] + counts[_b]) / 2.0), 1.6, 2.4);
    }

    [Fact]
    public void A_region_whose_node_is_not_a_known_member_gets_no_shard_and_stops_rebalancing()
    {
        var stranger = CreateTestProbe("region-unknown").Ref;
        var strategy = Strategy();
        var allocations = AllocateAll(strategy, Empty(_a, _b, stranger), Partitions(20));
        Assert.Empty(allocations[stranger]);
        // Nor does anything move while it is unknown: its shards (a node just removed) would count as orphans.
        var lopsided = AllocateAll(strategy, Empty(_a), Partitions(12)).Add(_b, ImmutableList<string>.Empty);
        Assert.Empty(strategy.Rebalance(lopsided.Add(stranger, ImmutableList.Create("orders/12")), NoneInProgress).Result);
        Assert.NotEmpty(strategy.Rebalance(lopsided, NoneInProgress).Result);
        // With no known node at all any region is a valid answer: the requester.
        Assert.Equal(stranger, strategy.AllocateShard(stranger, "orders/0", Empty(stranger)).Result);
    }

    [Fact]
    public void Weight_comes_from_the_weight_role()
    {
        Assert.Equal(2, NodeRoles.Weight(["zone:a", "weight:2"]));
        Assert.Equal(0.5, NodeRoles.Weight([NodeRoles.WeightRole(0.5)]));
        Assert.Equal(1, NodeRoles.Weight([]));
        Assert.Equal(1, NodeRoles.Weight(["weight:heavy"]));
        Assert.Equal(1, NodeRoles.Weight(["weight:-3"]));
    }

    [Fact]
    public void Settings_come_from_broker_sharding_and_a_bad_value_names_its_key()
    {
        Assert.Equal(new ShardPlacementSettings(160, 1.25, 2), Defaults);
        var bad = ConfigurationFactory.ParseString("broker.sharding.load-factor = 0.8").WithFallback(BrokerSettings.Reference);
        var error = Assert.Throws<BrokerConfigurationException>(() => ShardPlacementSettings.FromConfig(bad));
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("broker.sharding.load-factor = 0.8", problem);
        Assert.Contains("Fix:", problem);
    }

    private sealed class FakeNodes : IRegionNodeLookup
    {
        public Dictionary<IActorRef, RegionNode> Table { get; } = new();

        public bool RebalanceAllowed { get; set; } = true;

        public RegionNode? NodeOf(IActorRef region) => Table.GetValueOrDefault(region);
    }
}
