using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Broker.Sharding.Internal;

namespace Broker.Tests.Sharding;

/// <summary>
/// Shard placement finds a region's node in the cluster: a local region ref is this node, a remote one the
/// member at its address, with the weight of its <c>weight:N</c> role; a region on a node that is not a
/// member is unknown; an unreachable member stops rebalancing.
/// </summary>
public sealed class ClusterRegionNodeLookupSpec() : TestKit(ConfigurationFactory.ParseString("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.cluster.roles = ["zone:a", "weight:3"]
    akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s }
    """))
{
    [Fact]
    public void A_local_region_is_this_node_with_the_weight_of_its_role()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        var lookup = new ClusterRegionNodeLookup(cluster);
        var elsewhere = RegionAt(new Address("akka.tcp", Sys.Name, "10.9.9.9", 4053));

        Assert.Equal(new RegionNode(cluster.SelfAddress.ToString(), 3, Leaving: false, Zone: "a"), lookup.NodeOf(TestActor));
        Assert.Null(lookup.NodeOf(elsewhere));
        Assert.True(lookup.RebalanceAllowed);
    }

    [Fact]
    public void A_remote_region_is_its_member_and_an_unreachable_member_stops_rebalancing()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        // A node that crashes rather than leaves: terminating it runs no cluster shutdown.
        var other = ActorSystem.Create(Sys.Name, ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.roles = ["weight:2"]
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """));
        try
        {
            var otherAddress = Akka.Cluster.Cluster.Get(other).SelfAddress;
            Akka.Cluster.Cluster.Get(other).Join(cluster.SelfAddress);
            var lookup = new ClusterRegionNodeLookup(cluster);
            AwaitCondition(() => cluster.State.Members.Any(m => m.Address == otherAddress && m.Status == MemberStatus.Up)
                                 && lookup.RebalanceAllowed, TimeSpan.FromSeconds(20));

            Assert.Equal(new RegionNode(otherAddress.ToString(), 2, Leaving: false), lookup.NodeOf(RegionAt(otherAddress)));

            other.Terminate().Wait(TimeSpan.FromSeconds(10));
            AwaitCondition(() => !lookup.RebalanceAllowed, TimeSpan.FromSeconds(20));
            Assert.Contains(cluster.State.Unreachable, m => m.Address == otherAddress);
        }
        finally
        {
            other.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    private IActorRef RegionAt(Address address) =>
        ((ExtendedActorSystem)Sys).Provider.ResolveActorRef(new RootActorPath(address) / "system" / "sharding" / "orders");
}
