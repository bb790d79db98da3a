using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace Broker.Tests.Support;

/// <summary>
/// A bare Akka.NET cluster member (no Broker, no consumers) that joins a test node's cluster, so the cluster palette has a
/// second member to show, to ask to leave, to down, or to lose.
/// </summary>
public sealed class ClusterMember : IAsyncDisposable
{
    private ClusterMember(ActorSystem system)
    {
        System = system;
        Address = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
    }

    public ActorSystem System { get; }

    /// <summary>Its address, as <c>cluster show</c> prints it.</summary>
    public string Address { get; }

    /// <summary>Starts a member that joins the cluster whose seed is <paramref name="seed"/> (e.g. a node's <c>cluster show</c> self).</summary>
    public static ClusterMember Join(string seed)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.seed-nodes = ["{{seed}}"]
            # Terminate() is a crash (no leave), so a test can make it unreachable; DisposeAsync leaves gracefully.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """);
        return new ClusterMember(ActorSystem.Create(Akka.Actor.Address.Parse(seed).System, config));
    }

    /// <summary>Stops the process's member without leaving: the others stop hearing from it and see it unreachable.</summary>
    public Task CrashAsync() => System.Terminate();

    /// <summary>Leaves the cluster gracefully (if still in it) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!System.WhenTerminated.IsCompleted)
            await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
