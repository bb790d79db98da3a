using Akka.Actor;
using Akka.Cluster;

namespace Broker.Inspection.Internal;

/// <summary>
/// The <c>cluster tail</c> stream: subscribes to this node's view of cluster membership and emits each
/// member, reachability and leader event as it happens, until the client disconnects (or falls too far behind).
/// The session counts as started once the subscription is in place, so nothing after that is missed.
/// </summary>
internal sealed class ClusterTail : ReceiveActor
{
    private readonly CommandSession _session;
    private CancellationTokenRegistration _ended;

    public ClusterTail(CommandSession session)
    {
        _session = session;
        Receive<ClusterEvent.CurrentClusterState>(_ => _session.MarkStarted());
        Receive<ClusterEvent.IMemberEvent>(e => Emit(e.GetType().Name, e.Member));
        Receive<ClusterEvent.IReachabilityEvent>(e => Emit(e.GetType().Name, ((ClusterEvent.ReachabilityEvent)e).Member));
        Receive<ClusterEvent.LeaderChanged>(e => Emit(new Event(DateTimeOffset.UtcNow, nameof(ClusterEvent.LeaderChanged), e.Leader?.ToString(), null, null)));
    }

    public static Props Props(CommandSession session) => Akka.Actor.Props.Create(() => new ClusterTail(session));

    protected override void PreStart()
    {
        var self = Self;
        _ended = _session.Ended.Register(() => self.Tell(PoisonPill.Instance));
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
    }

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _ended.Dispose();
        _session.EndStream();
    }

    private void Emit(string name, Member member) =>
        Emit(new Event(DateTimeOffset.UtcNow, name, member.Address.ToString(), member.Status.ToString(), string.Join(",", member.Roles.Order())));

    private void Emit(Event e)
    {
        if (!_session.TryEmit(e)) Context.Stop(Self);
    }

    /// <summary>One membership event as the client sees it.</summary>
    /// <param name="Time">When this node saw it, UTC.</param>
    /// <param name="Kind">Akka's event name: MemberJoined, MemberUp, MemberLeft, MemberExited, MemberRemoved, UnreachableMember, ReachableMember, LeaderChanged, ...</param>
    /// <param name="Address">The member's address (the new leader's for LeaderChanged; null when there is none).</param>
    /// <param name="Status">The member's status after the event.</param>
    /// <param name="Roles">The member's roles, comma-separated.</param>
    public sealed record Event(DateTimeOffset Time, string Kind, string? Address, string? Status, string? Roles);
}
