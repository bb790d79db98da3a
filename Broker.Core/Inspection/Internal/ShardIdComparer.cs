namespace Broker.Inspection.Internal;

/// <summary>Orders shard ids <c>topic/partition</c> by topic, then partition as a number (orders/2 before orders/10).</summary>
internal sealed class ShardIdComparer : IComparer<string>
{
    public static readonly ShardIdComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        var (tx, px) = Split(x);
        var (ty, py) = Split(y);
        var byTopic = string.CompareOrdinal(tx, ty);
        if (byTopic != 0) return byTopic;
        return px is { } a && py is { } b ? a.CompareTo(b) : string.CompareOrdinal(x, y);
    }

    private static (string Topic, int? Partition) Split(string id)
    {
        var slash = id.LastIndexOf('/');
        return slash > 0 && int.TryParse(id.AsSpan(slash + 1), out var p) ? (id[..slash], p) : (id, null);
    }
}
