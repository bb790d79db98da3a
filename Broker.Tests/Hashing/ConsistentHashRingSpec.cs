using Broker.Hashing;

namespace Broker.Tests.Hashing;

/// <summary>
/// The ring that places partitions on nodes: every item has one owner, the same everywhere; a node joining
/// or leaving moves about its share of the items and few others; weights are respected; no node holds more
/// than the load bound.
/// </summary>
public sealed class ConsistentHashRingSpec
{
    private static RingNode Node(int i, double weight = 1) => new($"akka.tcp://broker@10.0.{i / 256}.{i % 256}:4053", weight);

    private static RingNode[] Nodes(int count) => Enumerable.Range(0, count).Select(i => Node(i)).ToArray();

    private static string[] Partitions(int count, string topic = "orders") =>
        Enumerable.Range(0, count).Select(p => $"{topic}/{p}").ToArray();

    private static Dictionary<string, int> Loads(IReadOnlyDictionary<string, string> owners) =>
        owners.Values.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void The_same_nodes_and_items_in_any_order_give_the_same_assignment()
    {
        var nodes = Nodes(7);
        var items = Partitions(500);
        var random = new Random(42);

        var first = new ConsistentHashRing(nodes).Assign(items);
        var second = new ConsistentHashRing(nodes.OrderBy(_ => random.Next())).Assign(items.OrderBy(_ => random.Next()).Concat(items.Take(10)));

        Assert.Equal(items.Length, first.Count);
        Assert.Equal(first.OrderBy(kv => kv.Key), second.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void A_joining_node_takes_about_its_share_and_moves_little_else()
    {
        var items = Partitions(20_000);
        var before = new ConsistentHashRing(Nodes(10)).Assign(items);
        var newcomer = Node(10);
        var after = new ConsistentHashRing(Nodes(10).Append(newcomer)).Assign(items);

        var moved = items.Where(i => before[i] != after[i]).ToArray();
        var toNewcomer = moved.Count(i => after[i] == newcomer.Id);
        var elsewhere = moved.Length - toNewcomer;
        var share = 1.0 / 11;
        Assert.InRange((double)moved.Length / items.Length, share * 0.75, share + 0.02);
        Assert.True(elsewhere <= 0.02 * items.Length, $"{elsewhere} items moved between old nodes");
    }

    [Fact]
    public void A_leaving_node_gives_up_its_items_and_moves_little_else()
    {
        var items = Partitions(20_000);
        var nodes = Nodes(10);
        var before = new ConsistentHashRing(nodes).Assign(items);
        var leaver = nodes[3];
        var after = new ConsistentHashRing(nodes.Where(n => n != leaver)).Assign(items);

        var itsItems = items.Count(i => before[i] == leaver.Id);
        var others = items.Count(i => before[i] != leaver.Id && before[i] != after[i]);
        Assert.DoesNotContain(leaver.Id, after.Values);
        Assert.InRange((double)itsItems / items.Length, 0.1 * 0.75, 0.1 * 1.25);
        Assert.True(others <= 0.02 * items.Length, $"{others} items of staying nodes moved");
    }

    [Fact]
    public void A_node_of_weight_two_gets_about_twice_the_items()
    {
        var nodes = new[] { Node(0), Node(1, weight: 2), Node(2), Node(3, weight: 0.5) };
        var loads = Loads(new ConsistentHashRing(nodes).Assign(Partitions(45_000)));

        // Weighted shares of 45,000 over total weight 4.5: 10,000 per unit of weight. The load bound caps a
        // node at 1.25 x its share; ring arcs vary by about 1/sqrt(virtual nodes), 8% at 160 per unit.
        foreach (var node in nodes)
            Assert.InRange(loads[node.Id], 10_000 * node.Weight * 0.75, 10_000 * node.Weight * 1.25);
        Assert.InRange((double)loads[nodes[1].Id] / ((loads[nodes[0].Id] + loads[nodes[2].Id]) / 2.0), 1.6, 2.4);
    }

    [Fact]
    public void Twelve_partitions_over_three_nodes_never_land_7_3_2()
    {
        // Many topic names and node sets: plain consistent hashing puts 6 or more on one node for some of them.
        var worstBounded = 0;
        var worstPlain = 0;
        for (var set = 0; set < 50; set++)
        {
            var nodes = new[] { Node(3 * set), Node(3 * set + 1), Node(3 * set + 2) };
            foreach (var topic in new[] { "orders", "payments", "shipments", $"topic-{set}" })
            {
                var items = Partitions(12, topic);
                var bounded = Loads(new ConsistentHashRing(nodes).Assign(items));
                var plain = Loads(new ConsistentHashRing(nodes, loadFactor: 10).Assign(items));
                var exact = Loads(new ConsistentHashRing(nodes, loadFactor: 1).Assign(items));
                worstBounded = Math.Max(worstBounded, bounded.Values.Max());
                worstPlain = Math.Max(worstPlain, plain.Values.Max());
                Assert.Equal(3, exact.Count);
                Assert.All(exact.Values, load => Assert.Equal(4, load)); // load factor 1: perfect balance
            }
        }
        Assert.True(worstBounded <= 5, $"the worst node had {worstBounded}, above ceil(1.25 x 12 / 3) = 5");
        Assert.True(worstPlain >= 6, $"plain consistent hashing's worst node had {worstPlain}");
    }

    [Theory]
    [InlineData(1.25)]
    [InlineData(1.1)]
    [InlineData(1.0)]
    public void No_node_gets_more_than_the_load_factor_times_its_weighted_share(double loadFactor)
    {
        var random = new Random(7);
        var nodes = Enumerable.Range(0, 40).Select(i => Node(i, weight: random.Next(1, 5))).ToArray();
        var items = Partitions(3_000);
        var loads = Loads(new ConsistentHashRing(nodes, loadFactor: loadFactor).Assign(items));
        var total = nodes.Sum(n => n.Weight);

        foreach (var node in nodes)
        {
            var share = items.Length * node.Weight / total;
            // The tolerance keeps a rounding error above an integer share from counting as one more item.
            Assert.InRange(loads.GetValueOrDefault(node.Id), 0, Math.Ceiling(loadFactor * share - 1e-9));
        }
    }

    [Fact]
    public void Bad_nodes_and_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ConsistentHashRing([]));
        Assert.Throws<ArgumentException>(() => new ConsistentHashRing([Node(1), Node(1)]));
        Assert.Throws<ArgumentException>(() => new ConsistentHashRing([Node(1, weight: 0)]));
        Assert.Throws<ArgumentException>(() => new ConsistentHashRing([Node(1, weight: double.NaN)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsistentHashRing([Node(1)], virtualNodesPerWeight: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsistentHashRing([Node(1)], loadFactor: 0.9));
    }
}
