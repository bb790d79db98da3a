using Akka.Actor;

namespace Broker.Sharding.Internal;

/// <summary>
/// Where <see cref="ConsistentHashShardAllocationStrategy"/> learns about the nodes behind the sharding
/// regions: the cluster in production (<see cref="ClusterRegionNodeLookup"/>), a table in tests.
/// </summary>
internal interface IRegionNodeLookup
{
    /// <summary>The node hosting <paramref name="region"/>; null while it is not a known cluster member.</summary>
    RegionNode? NodeOf(IActorRef region);

    /// <summary>
    /// False while a rebalance could not finish or would soon be undone: a member is unreachable (hand-off
    /// needs every region's acknowledgement) or still joining.
    /// </summary>
    bool RebalanceAllowed { get; }
}
