namespace Broker.Hosting;

/// <summary>
/// This node's place in the Akka cluster (configuration section <c>Broker:Cluster</c>). Null keeps the
/// default. With no seed nodes the node forms a cluster of its own.
/// </summary>
public sealed class BrokerClusterOptions
{
    /// <summary>Address Akka.Remote binds to and advertises. Default <c>127.0.0.1</c>.</summary>
    public string? Hostname { get; set; }

    /// <summary>Akka.Remote TCP port; 0 picks a free port. Default 0. Range 0..65535.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// This node's share of the partitions relative to the other nodes' weights: a node of weight 2 gets about
    /// twice the partitions of a node of weight 1. Default 1. Above 0, at most 100. Becomes the Akka cluster
    /// role <c>weight:N</c> (<c>akka.cluster.roles</c>), which shard placement reads.
    /// </summary>
    public double? Weight { get; set; }

    /// <summary>Seed node addresses, e.g. <c>akka.tcp://broker@10.0.0.5:4053</c>. Default none (join self).</summary>
    public List<string> SeedNodes { get; set; } = new();
}
