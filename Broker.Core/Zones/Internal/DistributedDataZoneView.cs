using System.Collections.Immutable;

namespace Broker.Zones.Internal;

/// <summary>
/// Zone placement as this node's Akka.DistributedData replica holds it: each consumer's latest
/// <see cref="ZonePlacement"/> (<see cref="ZoneReplicaKeys.Placements"/>), handed over by a
/// <see cref="ReplicaSubscriber"/> as it changes. Reads take the current snapshot and never block; thread-safe.
/// </summary>
/// <param name="localZone">This node's zone; empty when it has none.</param>
internal sealed class DistributedDataZoneView(string localZone) : IZoneView
{
    private volatile Snapshot _snapshot = new(ImmutableSortedDictionary.Create<string, ZonePlacement>(StringComparer.Ordinal), []);

    public string LocalZone { get; } = localZone;

    public IReadOnlyList<ZoneStatus> Zones => _snapshot.Zones;

    public string? HomeZone(string consumer, string shardId) =>
        _snapshot.Placements.TryGetValue(consumer, out var p) && p.Homes.TryGetValue(shardId, out var zone) ? zone : null;

    /// <summary>The latest placement of <paramref name="consumer"/>; null while none was published.</summary>
    public ZonePlacement? Placement(string consumer) => _snapshot.Placements.GetValueOrDefault(consumer);

    /// <summary>Takes the replica's placements (called by the subscriber, one change at a time).</summary>
    public void Update(IEnumerable<KeyValuePair<string, ZonePlacement>> placements)
    {
        var byConsumer = placements.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var zones = byConsumer.Values.SelectMany(p => p.Zones.OrderBy(z => z.Zone, StringComparer.Ordinal)).ToArray();
        _snapshot = new Snapshot(byConsumer, zones);
    }

    private sealed record Snapshot(ImmutableSortedDictionary<string, ZonePlacement> Placements, IReadOnlyList<ZoneStatus> Zones);
}
