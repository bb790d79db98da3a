using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Hashing;

/// <summary>
/// A consistent-hash ring of weighted nodes with virtual nodes and bounded loads (Mirrokni, Thorup and
/// Zadimoghaddam, "Consistent Hashing with Bounded Loads", 2018).
/// <para>
/// Each node has <c>round(virtualNodesPerWeight x weight)</c> points (at least one) on a 64-bit ring,
/// placed by XxHash3 of its id and the point's number. <see cref="Assign"/> gives every item the first node
/// clockwise from the item's hash whose load is still below its capacity
/// <c>ceil(loadFactor x items x weight / total weight)</c>, so no node ever holds more than about
/// <c>loadFactor</c> times its weighted share, and a node joining or leaving changes the owner of about
/// its share of the items and few others.
/// </para>
/// Immutable and deterministic: the same nodes (in any order) and the same items (in any order) give the
/// same assignment in every process. Not tied to Akka.
/// </summary>
internal sealed class ConsistentHashRing
{
    /// <summary>Virtual nodes per unit of weight unless told otherwise.</summary>
    public const int DefaultVirtualNodes = 160;

    /// <summary>The bound on a node's load, as a multiple of its weighted share, unless told otherwise.</summary>
    public const double DefaultLoadFactor = 1.25;

    // Keeps ceil() from adding a whole item when c x m x w / W lands a rounding error above an integer.
    private const double Tolerance = 1e-9;

    private readonly RingNode[] _nodes;
    private readonly ulong[] _points;
    private readonly int[] _owners;
    private readonly double _totalWeight;

    /// <param name="nodes">At least one node; ids unique (ordinal), weights finite and above 0.</param>
    /// <param name="virtualNodesPerWeight">Ring points per unit of weight, 1..10,000. More points: shares closer to the weights.</param>
    /// <param name="loadFactor">The bound c on a node's load relative to its weighted share, at least 1 (1 balances perfectly).</param>
    /// <exception cref="ArgumentException">No nodes, a duplicate id, or a weight that is not a finite number above 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="virtualNodesPerWeight"/> or <paramref name="loadFactor"/> out of range.</exception>
    public ConsistentHashRing(IEnumerable<RingNode> nodes, int virtualNodesPerWeight = DefaultVirtualNodes,
        double loadFactor = DefaultLoadFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualNodesPerWeight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(virtualNodesPerWeight, 10_000);
        if (!double.IsFinite(loadFactor) || loadFactor < 1)
            throw new ArgumentOutOfRangeException(nameof(loadFactor), loadFactor, "The load factor must be a finite number of at least 1.");
        _nodes = nodes.OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
        if (_nodes.Length == 0) throw new ArgumentException("A ring needs at least one node.", nameof(nodes));
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (!double.IsFinite(_nodes[i].Weight) || _nodes[i].Weight <= 0)
                throw new ArgumentException($"Node '{_nodes[i].Id}' has weight {_nodes[i].Weight}; weights must be finite and above 0.", nameof(nodes));
            if (i > 0 && _nodes[i].Id == _nodes[i - 1].Id)
                throw new ArgumentException($"Node '{_nodes[i].Id}' appears twice.", nameof(nodes));
            _totalWeight += _nodes[i].Weight;
        }
        VirtualNodesPerWeight = virtualNodesPerWeight;
        LoadFactor = loadFactor;

        var counts = _nodes.Select(n => Math.Max(1, (int)Math.Round(virtualNodesPerWeight * n.Weight))).ToArray();
        _points = new ulong[counts.Sum()];
        _owners = new int[_points.Length];
        var next = 0;
        for (var node = 0; node < _nodes.Length; node++)
        {
            var id = Encoding.UTF8.GetBytes(_nodes[node].Id);
            var buffer = new byte[id.Length + sizeof(int)];
            id.CopyTo(buffer, 0);
            for (var v = 0; v < counts[node]; v++)
            {
                MemoryMarshal.Write(buffer.AsSpan(id.Length), v);
                _points[next] = XxHash3.HashToUInt64(buffer);
                _owners[next++] = node;
            }
        }
        Array.Sort(_points, _owners);
        // Equal hashes (rare) order by node, so the ring does not depend on the order nodes were given in.
        SortTies(_points, _owners, (a, b) => a.CompareTo(b));
    }

    /// <summary>The nodes, ordered by id (ordinal).</summary>
    public IReadOnlyList<RingNode> Nodes => _nodes;

    /// <summary>Ring points per unit of weight.</summary>
    public int VirtualNodesPerWeight { get; }

    /// <summary>The bound on a node's load relative to its weighted share.</summary>
    public double LoadFactor { get; }

    /// <summary>The most items <paramref name="node"/> is given when <paramref name="itemCount"/> items are assigned.</summary>
    private int Capacity(RingNode node, int itemCount) =>
        (int)Math.Ceiling(LoadFactor * itemCount * node.Weight / _totalWeight - Tolerance);

    /// <summary>
    /// Assigns every distinct item (ordinal) to a node id with bounded loads: items are taken in the order of
    /// their hashes (then ordinal), each goes to the first node clockwise from its hash that is below its
    /// capacity. O(items x log(points)) plus the short walks past full nodes.
    /// </summary>
    /// <returns>Item to node id, one entry per distinct item.</returns>
    public IReadOnlyDictionary<string, string> Assign(IEnumerable<string> items)
    {
        var distinct = items is ICollection<string> c ? new HashSet<string>(c.Count, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items) distinct.Add(item);
        var keys = distinct.ToArray();
        var hashes = new ulong[keys.Length];
        for (var i = 0; i < keys.Length; i++) hashes[i] = Hash(keys[i]);
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(hashes, order);
        SortTies(hashes, order, (a, b) => string.CompareOrdinal(keys[a], keys[b]));

        var capacity = new int[_nodes.Length];
        for (var n = 0; n < _nodes.Length; n++) capacity[n] = Capacity(_nodes[n], keys.Length);
        var load = new int[_nodes.Length];
        var owners = new Dictionary<string, string>(keys.Length, StringComparer.Ordinal);
        for (var k = 0; k < order.Length; k++)
        {
            var i = order[k];
            var point = FirstPointAtOrAfter(hashes[k]);
            // Capacities add up to at least the item count (LoadFactor >= 1), so a node with room exists.
            while (load[_owners[point]] >= capacity[_owners[point]])
                point = point + 1 == _points.Length ? 0 : point + 1;
            load[_owners[point]]++;
            owners.Add(keys[i], _nodes[_owners[point]].Id);
        }
        return owners;
    }

    /// <summary>The item's position on the ring: XxHash3 of its UTF-8 bytes.</summary>
    private static ulong Hash(string item)
    {
        var max = Encoding.UTF8.GetMaxByteCount(item.Length);
        var buffer = max <= 256 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(item, buffer);
        return XxHash3.HashToUInt64(buffer[..length]);
    }

    /// <summary>Sorts each run of equal <paramref name="keys"/> by <paramref name="tieBreak"/> on its values.</summary>
    private static void SortTies(ulong[] keys, int[] values, Comparison<int> tieBreak)
    {
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(values, start, end - start, Comparer<int>.Create(tieBreak));
            start = end;
        }
    }

    private int FirstPointAtOrAfter(ulong hash)
    {
        var index = Array.BinarySearch(_points, hash);
        if (index < 0) index = ~index;
        else while (index > 0 && _points[index - 1] == hash) index--;
        return index == _points.Length ? 0 : index;
    }
}
