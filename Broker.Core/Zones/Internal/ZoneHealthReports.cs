using System.Collections.Immutable;
using Akka.DistributedData;

namespace Broker.Zones.Internal;

/// <summary>
/// Every node's latest health report as this node's Akka.DistributedData replica holds it
/// (<see cref="ZoneReplicaKeys.Health"/>), with when each one last changed by this node's clock, so how old a
/// report is never depends on another node's clock. Handed over by a <see cref="ReplicaSubscriber"/>; reads
/// take the current snapshot and never block; thread-safe.
/// </summary>
internal sealed class ZoneHealthReports(TimeProvider clock)
{
    private volatile ImmutableDictionary<string, Entry> _current = ImmutableDictionary.Create<string, Entry>(StringComparer.Ordinal);

    /// <summary>The reports by node (<see cref="ZoneReplicaKeys.NodeKey"/>).</summary>
    public IReadOnlyDictionary<string, Entry> Current => _current;

    /// <summary>How long ago <paramref name="entry"/>'s report last changed.</summary>
    public TimeSpan Age(Entry entry) => clock.GetElapsedTime(entry.ChangedAt);

    /// <summary>
    /// The reports of nodes that are not among <paramref name="members"/> (<see cref="ZoneReplicaKeys.NodeKey"/>s)
    /// and have not changed for <paramref name="staleAfter"/>: nodes that left. A node that has just joined
    /// reports every interval, so it is never taken for one before its membership is seen.
    /// </summary>
    public IReadOnlyList<string> Departed(IReadOnlySet<string> members, TimeSpan staleAfter) =>
        _current.Where(e => !members.Contains(e.Key) && Age(e.Value) > staleAfter).Select(e => e.Key).ToArray();

    /// <summary>Takes the replica's map (called by the subscriber, one change at a time).</summary>
    public void Update(LWWDictionary<string, ZoneHealthReport> reports)
    {
        var now = clock.GetTimestamp();
        var previous = _current;
        var next = ImmutableDictionary.CreateBuilder<string, Entry>(StringComparer.Ordinal);
        foreach (var (node, report) in reports)
            next[node] = previous.TryGetValue(node, out var seen) && seen.Report.Sequence == report.Sequence ? seen : new Entry(report, now);
        _current = next.ToImmutable();
    }

    /// <summary>A node's <paramref name="Report"/>, first seen here at <paramref name="ChangedAt"/> (a timestamp of this node's clock).</summary>
    public sealed record Entry(ZoneHealthReport Report, long ChangedAt);
}
