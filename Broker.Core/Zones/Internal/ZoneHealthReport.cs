namespace Broker.Zones.Internal;

/// <summary>
/// What one node last published about its consumers' health (the value of its entry in the
/// <see cref="ZoneReplicaKeys.Health"/> map, gossiped with Akka.DistributedData).
/// </summary>
/// <param name="Sequence">Counts the node's reports, so a reader sees a new one even when the facts are the same.</param>
/// <param name="Consumers">One entry per consumer running on the node.</param>
internal sealed record ZoneHealthReport(long Sequence, IReadOnlyList<ConsumerHealth> Consumers)
{
    /// <summary>The entry of <paramref name="consumer"/>; null when the node does not run it.</summary>
    public ConsumerHealth? For(string consumer)
    {
        foreach (var c in Consumers)
            if (c.Consumer == consumer) return c;
        return null;
    }

    public bool Equals(ZoneHealthReport? other) =>
        other is not null && Sequence == other.Sequence && Consumers.SequenceEqual(other.Consumers);

    public override int GetHashCode() => HashCode.Combine(Sequence, Consumers.Count);
}
