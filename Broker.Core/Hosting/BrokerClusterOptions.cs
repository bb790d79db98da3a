namespace Broker.Hosting;

/// <summary>
/// This node's place in the Akka cluster (configuration section <c>Broker:Cluster</c>). Null keeps the
/// default. With no seed nodes the node forms a cluster of its own.
/// </summary>
public sealed class BrokerClusterOptions
{
    /// <summary>
    /// Address Akka.Remote binds to (<c>akka.remote.dot-netty.tcp.hostname</c>), and advertises unless
    /// <see cref="PublicHostname"/> is set. Default <c>127.0.0.1</c>. <c>0.0.0.0</c> (every interface)
    /// requires <see cref="PublicHostname"/>.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>
    /// Address other nodes reach this one at, when it differs from the address it binds to
    /// (<c>akka.remote.dot-netty.tcp.public-hostname</c>): in a container, bind <see cref="Hostname"/>
    /// <c>0.0.0.0</c> and advertise the service name, e.g. <c>broker-1</c>. It is the host of this node's
    /// address (<c>akka.tcp://broker@broker-1:4053</c>), the one other nodes list as a seed. Default:
    /// <see cref="Hostname"/>.
    /// </summary>
    public string? PublicHostname { get; set; }

    /// <summary>Akka.Remote TCP port (<c>akka.remote.dot-netty.tcp.port</c>); 0 picks a free port. Default 0. Range 0..65535.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// This node's share of the partitions relative to the other nodes' weights: a node of weight 2 gets about
    /// twice the partitions of a node of weight 1. Default 1. Above 0, at most 100. Becomes the Akka cluster
    /// role <c>weight:N</c> (<c>akka.cluster.roles</c>), which shard placement reads.
    /// </summary>
    public double? Weight { get; set; }

    /// <summary>
    /// Seed node addresses (<c>akka.cluster.seed-nodes</c>), e.g. <c>akka.tcp://broker@10.0.0.5:4053</c>. Default
    /// none: the node joins itself and forms a new cluster. Nodes of one cluster list the same seeds.
    /// </summary>
    public List<string> SeedNodes { get; set; } = new();

    /// <summary>
    /// A name for this node in logs, inspection and the cluster role <c>node:NAME</c>. Default: its
    /// <c>host:port</c> once bound. Letters, digits, '.', '_' and '-'.
    /// </summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// The zone (data center, availability zone, rack) this node runs in, as the cluster role <c>zone:NAME</c>
    /// and librdkafka's <c>client.rack</c> (so fetches can stay in-zone). Default none.
    /// </summary>
    public string? Zone { get; set; }

    /// <summary>
    /// The split brain resolver's strategy (<c>akka.cluster.split-brain-resolver.active-strategy</c>):
    /// <c>keep-majority</c> (default), <c>keep-oldest</c> or <c>down-all</c>.
    /// </summary>
    public string? SplitBrainResolver { get; set; }

    /// <summary>
    /// How long the cluster's membership must be stable (no reachability changes) before the split brain
    /// resolver downs the side that lost (<c>akka.cluster.split-brain-resolver.stable-after</c>). Default
    /// 20 s; shorter moves a crashed node's partitions sooner but risks downing a node in a long GC pause.
    /// </summary>
    public TimeSpan? StableAfter { get; set; }
}
