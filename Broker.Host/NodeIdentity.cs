using Akka.Actor;

namespace Broker.Host;

/// <summary>Who this node is in the cluster, as the progress view and the summary name it.</summary>
/// <param name="Name">The node's name: its <c>node:NAME</c> cluster role (<c>Broker:Cluster:NodeName</c>), else its <c>host:port</c>.</param>
/// <param name="Address">Its Akka address, e.g. <c>akka.tcp://broker@127.0.0.1:4053</c>: what other nodes pass to <c>--seed</c>.</param>
/// <param name="Zone">Its <c>zone:NAME</c> cluster role (<c>Broker:Cluster:Zone</c>), or null when it has none.</param>
internal sealed record NodeIdentity(string Name, string Address, string? Zone)
{
    private const string NodeRole = "node:";
    private const string ZoneRole = "zone:";

    /// <summary>Reads the identity of the started <paramref name="system"/>'s cluster node.</summary>
    public static NodeIdentity Of(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfAddress;
        string? Role(string prefix) => cluster.SelfRoles.FirstOrDefault(r => r.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        return new NodeIdentity(Role(NodeRole) ?? $"{self.Host}:{self.Port}", self.ToString(), Role(ZoneRole));
    }

    /// <summary>One line for people: <c>n1 in zone a at akka.tcp://broker@127.0.0.1:4053</c>; without a node name, the address first.</summary>
    public string Describe()
    {
        var zone = Zone is null ? "" : $" in zone {Zone}";
        return Address.EndsWith("@" + Name, StringComparison.Ordinal) ? Address + zone : $"{Name}{zone} at {Address}";
    }
}
