using Akka.Actor;
using Broker.Hosting.Internal;
using Broker.Inspection;
using Broker.Kafka.Internal;
using Broker.Resilience;
using Broker.Resilience.Internal;
using Broker.Telemetry;
using Broker.Telemetry.Internal;

namespace Broker.Processing.Internal;

/// <summary>
/// Everything one consumer definition needs on this node, shared by its partition owners and keyed
/// consumers: settings, the node's Kafka consumer, the handler, the dead-letter publisher and counters.
/// </summary>
internal sealed class ConsumerRuntime(
    string name,
    string topic,
    string groupId,
    ConsumerSettings settings,
    NodeConsumer consumer,
    RecordPipeline pipeline,
    CircuitBreaker? breaker,
    DeadLetterPublisher deadLetters,
    ConsumerCounters counters,
    RecordTracing tracing) : IDisposable
{
    public string Name { get; } = name;
    public string Topic { get; } = topic;
    public string GroupId { get; } = groupId;
    public string DeadLetterTopic { get; } = topic + settings.DeadLetterTopicSuffix;
    public ConsumerSettings Settings { get; } = settings;
    public NodeConsumer Consumer { get; } = consumer;
    public RecordPipeline Pipeline { get; } = pipeline;

    /// <summary>The consumer's circuit breaker on this node, or null when it is disabled.</summary>
    public CircuitBreaker? Breaker { get; } = breaker;

    public BreakerState BreakerState => Breaker?.State ?? BreakerState.Closed;
    public DeadLetterPublisher DeadLetters { get; } = deadLetters;

    /// <summary>Throttles dead-letter warnings to one per 10 s; the rest are logged at Debug.</summary>
    public Broker.Telemetry.Internal.WarningThrottle DeadLetterWarnings { get; } = new(TimeProvider.System);
    public ConsumerCounters Counters { get; } = counters;

    /// <summary>Starts each record's consumer span (when anyone listens).</summary>
    public RecordTracing Tracing { get; } = tracing;

    /// <summary>The consumer's sharding region on this node; set once the region has started.</summary>
    public IActorRef Region { get; set; } = ActorRefs.Nobody;

    private int _liveKeys;

    /// <summary>Keyed consumers of this consumer alive on this node (started or starting).</summary>
    public int LiveKeys => Volatile.Read(ref _liveKeys);

    /// <summary>Adds <paramref name="delta"/> live keys; returns the new count.</summary>
    public int AddLiveKeys(int delta) => Interlocked.Add(ref _liveKeys, delta);

    /// <summary>Set when the node starts shutting down: owners started after that do not fetch.</summary>
    public volatile bool Stopping;

    /// <summary>Name of the sharding region (entity type name) of this consumer.</summary>
    public string TypeName => "broker-" + Name;

    public ConsumerStatus Status() => new(Name, Topic, GroupId, Counters.ConsumedTotal, Counters.HandledTotal,
        Counters.FailedTotal, Counters.DeadLetteredTotal, Counters.RetriedTotal, Counters.TimedOutTotal, Counters.SkippedTotal, LiveKeys,
        BreakerState, Breaker?.Opened ?? 0, Consumer.Status)
    {
        HandledInHomeZone = Counters.Zones.HomeTotal,
        HandledOutsideHomeZone = Counters.Zones.AwayTotal,
    };

    public void Dispose()
    {
        BrokerTelemetry.Forget(this);
        Consumer.Dispose();
        DeadLetters.Dispose();
    }
}
