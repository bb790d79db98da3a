using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Broker.Sharding.Internal;

/// <summary>
/// Watches cluster membership and reachability, and fences this node's Kafka consumers (no fetching, no
/// commits) while <see cref="FenceDecision"/> says it may lose its shards; lifts the fence when the
/// partition heals before the split brain resolver acts. Two nodes then never consume one partition at
/// once: the winners take a shard over only after the resolver downed this node, stable-after later.
/// </summary>
internal sealed class SplitBrainFence : ReceiveActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = new();
    private readonly string _strategy;
    private readonly Action _fence;
    private readonly Action _unfence;
    private bool _fenced;

    public SplitBrainFence(string strategy, Action fence, Action unfence)
    {
        _strategy = strategy;
        _fence = fence;
        _unfence = unfence;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var m in state.Members) _members[m.UniqueAddress] = m;
            foreach (var m in state.Unreachable) _unreachable.Add(m.UniqueAddress);
            Evaluate();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            _members[e.Member.UniqueAddress] = e.Member;
            if (e is ClusterEvent.MemberRemoved && !e.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress))
            {
                _members.Remove(e.Member.UniqueAddress);
                _unreachable.Remove(e.Member.UniqueAddress);
            }
            Evaluate();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            Evaluate();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Evaluate();
        });
    }

    public static Props Props(string strategy, Action fence, Action unfence) =>
        Akka.Actor.Props.Create(() => new SplitBrainFence(strategy, fence, unfence));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Evaluate()
    {
        var mustFence = FenceDecision.MustFence(_strategy, _cluster.SelfUniqueAddress, FenceMember.Of(_members.Values), _unreachable);
        if (mustFence == _fenced) return;
        _fenced = mustFence;
        if (mustFence && _members.TryGetValue(_cluster.SelfUniqueAddress, out var self) && self.Status is MemberStatus.Down or MemberStatus.Removed)
        {
            _log.Info("This node is {0}: its consumers stop fetching and committing", self.Status);
            _fence();
        }
        else if (mustFence)
        {
            _log.Warning("Fencing this node's consumers: {0} of {1} members unreachable ({2}); no fetching or commits until that heals",
                _unreachable.Count, _members.Count, string.Join(", ", _unreachable.Select(u => u.Address)));
            _fence();
        }
        else
        {
            _log.Warning("Lifting the fence: the cluster is reachable again");
            _unfence();
        }
    }
}
