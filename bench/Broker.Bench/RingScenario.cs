using System.Diagnostics;
using Broker.Hashing;

namespace Broker.Bench;

/// <summary>
/// The consistent-hash ring that places partition shards, at a scale far beyond any cluster: 100,000
/// partitions over 1,000 equal nodes. Measures the time to assign them all, the largest node's load over
/// the mean, and what moves when node 1,001 joins and when one of the 1,000 leaves, against plain consistent
/// hashing (no load bound) on the same ring as the baseline. Ends with <c>ring: excess_moved = X</c>: the
/// partitions that moved without having to (join: to an old node; leave: from a staying node) as a share of
/// all partitions, the worse of join and leave.
/// Options <c>--load-factor X</c> and <c>--virtual-nodes N</c> try other ring settings (defaults: Broker's).
/// </summary>
internal static class RingScenario
{
    private const int Partitions = 100_000, Nodes = 1_000, Rounds = 5;
    private const double Unbounded = 1_000; // a bound no node reaches: plain consistent hashing

    public static Task<int> RunAsync(string[] args)
    {
        var loadFactor = Option(args, "--load-factor", ConsistentHashRing.DefaultLoadFactor);
        var virtualNodes = (int)Option(args, "--virtual-nodes", ConsistentHashRing.DefaultVirtualNodes);
        var items = Enumerable.Range(0, Partitions).Select(p => $"orders/{p}").ToArray();
        var nodes = Enumerable.Range(0, Nodes).Select(Node).ToArray();
        var newcomer = Node(Nodes);
        var leaver = nodes[Nodes / 2];
        var joined = nodes.Append(newcomer).ToArray();
        var left = nodes.Where(n => n != leaver).ToArray();

        // Warm-up: JIT and the first touches of the allocator are not the ring's cost.
        new ConsistentHashRing(nodes.Take(10)).Assign(items.Take(1_000));

        var (bounded, elapsed) = Timed(() => new ConsistentHashRing(nodes, virtualNodes, loadFactor).Assign(items));
        var plain = new ConsistentHashRing(nodes, virtualNodes, Unbounded).Assign(items);
        var mean = (double)Partitions / Nodes;
        Console.WriteLine($"ring: {Partitions:N0} partitions over {Nodes:N0} equal nodes, {virtualNodes} virtual nodes each, load factor {loadFactor}");
        Console.WriteLine($"assign all: median {elapsed.TotalMilliseconds:F0} ms of {Rounds} rounds (ring built and every partition assigned)");
        Console.WriteLine($"largest node / mean: bounded {MaxLoad(bounded) / mean:F3} (at most {MaxLoad(bounded)} of mean {mean:F0}); " +
                          $"plain consistent hashing {MaxLoad(plain) / mean:F3}");

        var join = Change(bounded, new ConsistentHashRing(joined, virtualNodes, loadFactor).Assign(items), (_, after) => after == newcomer.Id);
        var plainJoin = Change(plain, new ConsistentHashRing(joined, virtualNodes, Unbounded).Assign(items), (_, after) => after == newcomer.Id);
        var leave = Change(bounded, new ConsistentHashRing(left, virtualNodes, loadFactor).Assign(items), (before, _) => before == leaver.Id);
        var plainLeave = Change(plain, new ConsistentHashRing(left, virtualNodes, Unbounded).Assign(items), (before, _) => before == leaver.Id);
        Console.WriteLine($"node {Nodes + 1:N0} joins: bounded moves {join.Moved:P3} ({join.Forced:P3} to the new node, excess {join.Excess:P3}); " +
                          $"plain moves {plainJoin.Moved:P3} (excess {plainJoin.Excess:P3}); ideal 1/N = {1.0 / (Nodes + 1):P3}");
        Console.WriteLine($"a node leaves: bounded moves {leave.Moved:P3} ({leave.Forced:P3} from the leaver, excess {leave.Excess:P3}); " +
                          $"plain moves {plainLeave.Moved:P3} (excess {plainLeave.Excess:P3}); ideal 1/N = {1.0 / Nodes:P3}");
        Console.WriteLine($"ring: excess_moved = {Math.Max(join.Excess, leave.Excess):F4}");
        return Task.FromResult(0);
    }

    private static double Option(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static RingNode Node(int i) => new($"akka.tcp://broker@10.{i / 65536}.{i / 256 % 256}.{i % 256}:4053", 1);

    private static (IReadOnlyDictionary<string, string> Result, TimeSpan Median) Timed(Func<IReadOnlyDictionary<string, string>> assign)
    {
        IReadOnlyDictionary<string, string> result = null!;
        var times = new List<TimeSpan>();
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            result = assign();
            times.Add(clock.Elapsed);
        }
        times.Sort();
        return (result, times[Rounds / 2]);
    }

    private static int MaxLoad(IReadOnlyDictionary<string, string> owners) =>
        owners.Values.GroupBy(n => n).Max(g => g.Count());

    /// <summary>
    /// Shares of all partitions: moved, moved because the change forces it (<paramref name="forced"/> of the
    /// old and new owner), and moved without having to.
    /// </summary>
    private static (double Moved, double Forced, double Excess) Change(IReadOnlyDictionary<string, string> before,
        IReadOnlyDictionary<string, string> after, Func<string, string, bool> forced)
    {
        int moved = 0, forcedMoves = 0;
        foreach (var (item, owner) in before)
        {
            if (after[item] == owner) continue;
            moved++;
            if (forced(owner, after[item])) forcedMoves++;
        }
        double total = before.Count;
        return (moved / total, forcedMoves / total, (moved - forcedMoves) / total);
    }
}
