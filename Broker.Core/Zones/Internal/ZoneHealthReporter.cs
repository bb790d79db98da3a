using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Broker.Processing.Internal;
using Broker.Resilience;

namespace Broker.Zones.Internal;

/// <summary>
/// Publishes this node's health report every <see cref="ZoneSettings.ReportInterval"/>: for each consumer,
/// the share of its breakers that are Closed, and its handler error rate and mean handler latency over the
/// interval (see <see cref="ConsumerHealth"/>), as this node's entry of the <see cref="ZoneReplicaKeys.Health"/>
/// map, written to the local replica (Akka.DistributedData gossips it). On the cluster leader it also
/// removes the entries of nodes that are no longer members and stopped reporting
/// <see cref="ZoneSettings.ReportStaleAfter"/> ago, so the map holds about one entry per member.
/// </summary>
internal sealed partial class ZoneHealthReporter : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<ConsumerRuntime> _consumers;
    private readonly IActorRef _replicator;
    private readonly Cluster _cluster;
    private readonly ZoneHealthReports _reports;
    private readonly ZoneSettings _settings;
    private readonly string _self;
    private readonly Dictionary<string, Totals> _last = new(StringComparer.Ordinal);
    private long _sequence;

    public ZoneHealthReporter(IReadOnlyList<ConsumerRuntime> consumers, IActorRef replicator, Cluster cluster,
        ZoneHealthReports reports, ZoneSettings settings)
    {
        _consumers = consumers;
        _replicator = replicator;
        _cluster = cluster;
        _reports = reports;
        _settings = settings;
        _self = ZoneReplicaKeys.NodeKey(cluster.SelfUniqueAddress);
        foreach (var c in consumers) _last[c.Name] = Totals.Of(c);
        Receive<Tick>(_ =>
        {
            Report();
            RemoveDeparted();
        });
        Receive<UpdateSuccess>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<ConsumerRuntime> consumers, IActorRef replicator, Cluster cluster,
        ZoneHealthReports reports, ZoneSettings settings) =>
        Akka.Actor.Props.Create(() => new ZoneHealthReporter(consumers, replicator, cluster, reports, settings));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.ReportInterval);

    private void Report()
    {
        var health = new ConsumerHealth[_consumers.Count];
        for (var i = 0; i < health.Length; i++) health[i] = Measure(_consumers[i]);
        var report = new ZoneHealthReport(++_sequence, health);
        var self = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(ZoneReplicaKeys.Health, LWWDictionary<string, ZoneHealthReport>.Empty, Dsl.WriteLocal,
            map => map.SetItem(self, _self, report)));
    }

    /// <summary>The consumer's facts over the interval since its last report.</summary>
    private ConsumerHealth Measure(ConsumerRuntime consumer)
    {
        var now = Totals.Of(consumer);
        var last = _last[consumer.Name];
        _last[consumer.Name] = now;
        var calls = now.Calls - last.Calls;
        var errorRate = calls > 0 ? Math.Clamp((double)(now.Failed - last.Failed) / calls, 0, 1) : 0;
        var latency = calls > 0 ? (now.Duration - last.Duration) / calls : TimeSpan.Zero;
        return new ConsumerHealth(consumer.Name, BreakersClosed(consumer), errorRate, latency < TimeSpan.Zero ? TimeSpan.Zero : latency);
    }

    /// <summary>
    /// Closed 1, Open 0, no breaker 1; Half-open is half while trial calls decide, and 1 before the first
    /// one: its open-duration has passed and no call has failed since, and a node with no record to try
    /// (all its partitions moved away) would otherwise count as half healthy for ever. If its partitions
    /// come back and fail, it opens again and its zone drains again.
    /// </summary>
    private static double BreakersClosed(ConsumerRuntime consumer) => consumer.Breaker?.Snapshot() switch
    {
        null => 1,
        { State: BreakerState.Open } => 0,
        { State: BreakerState.HalfOpen, TrialCalls: > 0 } => 0.5,
        _ => 1,
    };

    private void RemoveDeparted()
    {
        var state = _cluster.State;
        if (state.Leader != _cluster.SelfAddress) return;
        var members = state.Members.Select(m => ZoneReplicaKeys.NodeKey(m.UniqueAddress)).ToHashSet(StringComparer.Ordinal);
        var departed = _reports.Departed(members, _settings.ReportStaleAfter);
        if (departed.Count == 0) return;
        var self = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(ZoneReplicaKeys.Health, LWWDictionary<string, ZoneHealthReport>.Empty, Dsl.WriteLocal,
            map => departed.Aggregate(map, (m, node) => m.Remove(self, node))));
    }

    /// <summary>A consumer's running totals: handler calls, failed calls, summed call duration.</summary>
    private readonly record struct Totals(long Calls, long Failed, TimeSpan Duration)
    {
        public static Totals Of(ConsumerRuntime consumer)
        {
            var (calls, duration) = consumer.Counters.HandlerCallTotals;
            return new Totals(calls, consumer.Counters.FailedTotal, duration);
        }
    }
}
