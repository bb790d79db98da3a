using Akka.Actor;
using Akka.DistributedData;

namespace Broker.Zones.Internal;

/// <summary>
/// Keeps snapshots of replicated data current on this node: subscribes to its keys at the local
/// Akka.DistributedData replicator and hands each change to the key's callback, on this actor, one at a time
/// (the replicator notifies at most every <c>akka.cluster.distributed-data.notify-subscribers-interval</c>).
/// Readers of those snapshots never ask the replicator, so they never wait.
/// </summary>
internal sealed class ReplicaSubscriber : ReceiveActor
{
    public ReplicaSubscriber(IActorRef replicator, IReadOnlyList<(IKey Key, Action<object> OnChanged)> subscriptions)
    {
        var callbacks = subscriptions.ToDictionary(s => s.Key.Id, s => s.OnChanged, StringComparer.Ordinal);
        Receive<Changed>(changed =>
        {
            if (callbacks.TryGetValue(changed.Key.Id, out var onChanged)) onChanged(changed.Data);
        });
        foreach (var (key, _) in subscriptions) replicator.Tell(new Subscribe(key, Self));
    }

    /// <param name="replicator">This node's replicator (<c>DistributedData.Get(system).Replicator</c>).</param>
    /// <param name="subscriptions">Each key and what to do with its new value.</param>
    public static Props Props(IActorRef replicator, IReadOnlyList<(IKey Key, Action<object> OnChanged)> subscriptions) =>
        Akka.Actor.Props.Create(() => new ReplicaSubscriber(replicator, subscriptions));
}
