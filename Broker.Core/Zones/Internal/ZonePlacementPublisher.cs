using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace Broker.Zones.Internal;

/// <summary>
/// Publishes one consumer's zone placement from its shard coordinator (the allocation strategy, once per
/// rebalance round) to the local Akka.DistributedData replicator, which gossips it to every node (its
/// consumer's entry in <see cref="ZoneReplicaKeys.Placements"/>, written locally). Only when something an operator would see
/// changed: a zone's state, nodes or shard counts, a home zone, its score by a point or across a threshold;
/// otherwise once every <see cref="ZoneSettings.PublishInterval"/>. A Tell: it never blocks the coordinator.
/// Not thread-safe: the coordinator calls it one round at a time.
/// </summary>
internal sealed class ZonePlacementPublisher(string consumer, IActorRef replicator, UniqueAddress self, ZoneSettings settings,
    TimeProvider clock)
{
    private ZonePlacement? _last;
    private long _round;

    /// <summary>The consumer whose placement this publishes.</summary>
    public string Consumer { get; } = consumer;

    /// <summary>Takes one round's placement and publishes it when it differs from the last one published, or that one is old.</summary>
    /// <param name="zones">Every zone's status, in zone name order.</param>
    /// <param name="homes">Each known shard's home zone.</param>
    public void Publish(IReadOnlyList<ZoneStatus> zones, IReadOnlyDictionary<string, string> homes)
    {
        _round++;
        var now = clock.GetUtcNow();
        if (_last is { } last && now - last.PublishedAt < settings.PublishInterval && Same(last, zones, homes)) return;
        var placement = new ZonePlacement(Consumer, _round, now, zones, homes);
        _last = placement;
        // The reply (UpdateSuccess) goes nowhere: the coordinator does not wait for it.
        replicator.Tell(Dsl.Update(ZoneReplicaKeys.Placements, LWWDictionary<string, ZonePlacement>.Empty, Dsl.WriteLocal,
            placements => placements.SetItem(self, Consumer, placement)), ActorRefs.Nobody);
    }

    private bool Same(ZonePlacement last, IReadOnlyList<ZoneStatus> zones, IReadOnlyDictionary<string, string> homes)
    {
        if (last.Zones.Count != zones.Count || last.Homes.Count != homes.Count) return false;
        for (var i = 0; i < zones.Count; i++)
        {
            var (a, b) = (last.Zones[i], zones[i]);
            if (a.Zone != b.Zone || a.State != b.State || a.Since != b.Since || a.ShardsHomed != b.ShardsHomed
                || a.ShardsHosted != b.ShardsHosted || !a.Nodes.SequenceEqual(b.Nodes)
                || Math.Abs(a.Score - b.Score) >= 1 || Side(a.Score) != Side(b.Score))
                return false;
        }
        foreach (var (shard, zone) in homes)
            if (!last.Homes.TryGetValue(shard, out var was) || was != zone) return false;
        return true;
    }

    /// <summary>Below the failover threshold, between the thresholds, or at or above the recovery threshold.</summary>
    private int Side(double score) => score < settings.FailoverThreshold ? 0 : score < settings.RecoveryThreshold ? 1 : 2;
}
