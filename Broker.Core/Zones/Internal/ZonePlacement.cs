namespace Broker.Zones.Internal;

/// <summary>
/// One consumer's zone placement as its shard coordinator last published it (its entry in
/// <see cref="ZoneReplicaKeys.Placements"/>, gossiped with Akka.DistributedData): every zone's status and
/// every partition shard's home zone.
/// </summary>
/// <param name="Consumer">The consumer's name.</param>
/// <param name="Round">The coordinator's rebalance round that published it, counted from 1 by each coordinator.</param>
/// <param name="PublishedAt">When it was published, by the coordinator's clock.</param>
/// <param name="Zones">Every zone the coordinator knows, in zone name order.</param>
/// <param name="Homes">Home zone of each partition shard (<c>topic/partition</c>) the coordinator has seen.</param>
internal sealed record ZonePlacement(
    string Consumer,
    long Round,
    DateTimeOffset PublishedAt,
    IReadOnlyList<ZoneStatus> Zones,
    IReadOnlyDictionary<string, string> Homes);
