using System.Diagnostics;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Broker.Processing.Internal;
using Broker.Telemetry.Internal;
using Broker.Zones.Internal;

namespace Broker.Telemetry;

/// <summary>
/// Broker's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <see cref="Name"/>
/// (enable them with <c>AddSource("Broker")</c> / <c>AddMeter("Broker")</c>). Every instrument name is
/// defined here. Labels are low-cardinality: consumer name and topic (plus the partition on the lag gauge,
/// the dead-letter reason, the call outcome, the zone and the zone placement where they apply), never a key
/// or an offset. Spans are
/// <c>process {topic}</c> (kind Consumer, one per record) and <c>send {topic}</c> (kind Producer, per record
/// produced through <see cref="Kafka.IBrokerProducer"/>), with the OpenTelemetry messaging semantic conventions'
/// attributes (schema <see cref="SchemaUrl"/>).
/// </summary>
public static class BrokerTelemetry
{
    /// <summary>The ActivitySource and Meter name: <c>Broker</c>.</summary>
    public const string Name = "Broker";

    /// <summary>The OpenTelemetry semantic conventions version Broker's attribute names follow.</summary>
    public const string SchemaUrl = "https://opentelemetry.io/schemas/1.27.0";

    /// <summary>Label: the consumer definition's name.</summary>
    public const string ConsumerTag = MessagingAttributes.Consumer;

    /// <summary>Label: the topic (OpenTelemetry messaging semantic convention).</summary>
    public const string TopicTag = MessagingAttributes.DestinationName;

    /// <summary>Label of <see cref="ConsumerLag"/>: the partition number (OpenTelemetry messaging semantic convention).</summary>
    public const string PartitionTag = MessagingAttributes.DestinationPartitionId;

    /// <summary>Label of <see cref="RecordsDeadLettered"/>: <c>deserialization</c>, <c>missing-key</c>, <c>handler</c> or <c>timeout</c>.</summary>
    public const string DeadLetterReasonTag = MessagingAttributes.DeadLetterReason;

    /// <summary>Label of <see cref="HandlerDuration"/>: <c>success</c>, <c>error</c> or <c>timeout</c>.</summary>
    public const string CallOutcomeTag = MessagingAttributes.CallOutcome;

    /// <summary>Records handed from the Kafka consumer to partition owners. Unit <c>{record}</c>.</summary>
    public const string RecordsConsumed = "broker.records.consumed";

    /// <summary>Records whose handler call completed. Unit <c>{record}</c>.</summary>
    public const string RecordsHandled = "broker.records.handled";

    /// <summary>Handler calls that threw or timed out (each attempt counts). Unit <c>{call}</c>.</summary>
    public const string RecordsFailed = "broker.records.failed";

    /// <summary>Handler calls retried after a failure. Unit <c>{call}</c>.</summary>
    public const string RecordsRetried = "broker.records.retried";

    /// <summary>Handler calls that ran past their deadline. Unit <c>{call}</c>.</summary>
    public const string RecordsTimedOut = "broker.records.timed_out";

    /// <summary>Circuit breaker transitions from Closed to Open. Unit <c>{transition}</c>.</summary>
    public const string BreakerOpened = "broker.breaker.opened";

    /// <summary>Circuit breaker state per consumer: 0 Closed, 1 Open, 2 Half-open. Unit <c>{state}</c>.</summary>
    public const string BreakerStateName = "broker.breaker.state";

    /// <summary>Records redelivered after a crash or a move and skipped because their key's watermark showed them finished. Unit <c>{record}</c>.</summary>
    public const string RecordsSkipped = "broker.records.skipped";

    /// <summary>Records written to a dead-letter topic. Unit <c>{record}</c>.</summary>
    public const string RecordsDeadLettered = "broker.records.dead_lettered";

    /// <summary>Duration of each handler call (every attempt), labelled with its outcome. Unit <c>s</c>.</summary>
    public const string HandlerDuration = "broker.handler.duration";

    /// <summary>Time from a record's Kafka timestamp to its handler completing, for handled records. Unit <c>s</c>.</summary>
    public const string EndToEndLatency = "broker.records.end_to_end_latency";

    /// <summary>Consumer-group lag of each partition this node consumes: end offset minus committed offset, labelled with the partition. Unit <c>{record}</c>.</summary>
    public const string ConsumerLag = "broker.consumer.lag";

    /// <summary>Shards (one per partition) of a consumer's sharding region hosted on this node. Unit <c>{shard}</c>.</summary>
    public const string Shards = "broker.shards";

    /// <summary>Messages to a partition owner or keyed consumer dropped because its bounded mailbox was full (a flow-control bug if ever above 0). Unit <c>{message}</c>.</summary>
    public const string MailboxOverflows = "broker.mailbox.overflows";

    /// <summary>Partitions paused on the Kafka consumer (window full or memory guard), per consumer. Unit <c>{partition}</c>.</summary>
    public const string PartitionsPaused = "broker.partitions.paused";

    /// <summary>Records accepted from Kafka and not yet done, per consumer. Unit <c>{record}</c>.</summary>
    public const string RecordsInFlight = "broker.records.in_flight";

    /// <summary>Keyed consumers (sharded entities, one per key) alive on the node, per consumer. Unit <c>{entity}</c>.</summary>
    public const string KeyedConsumersLive = "broker.keyed_consumers.live";

    /// <summary>Label of the zone instruments: the zone's name, empty for nodes without one.</summary>
    public const string ZoneTag = MessagingAttributes.Zone;

    /// <summary>Label of <see cref="ZoneRecordsHandled"/>: <c>home</c>, <c>away</c> or <c>unknown</c>.</summary>
    public const string ZonePlacementTag = MessagingAttributes.ZonePlacement;

    /// <summary>
    /// Each zone's health score, 0..100, per consumer and zone, as this node last received it from the consumer's
    /// shard coordinator (every node reports the same cluster-wide figures: aggregate with max or avg, not sum). Unit <c>%</c>.
    /// </summary>
    public const string ZoneScore = "broker.zone.score";

    /// <summary>
    /// Each zone's failover state per consumer and zone, as a code: 0 Healthy, 1 Draining, 2 Failed, 3 Recovering
    /// (so "above 0" means not serving normally). Same cluster-wide figures on every node. Unit <c>{state}</c>.
    /// </summary>
    public const string ZoneStateName = "broker.zone.state";

    /// <summary>Partition shards whose home zone is the zone, per consumer and zone (cluster-wide, as published). Unit <c>{shard}</c>.</summary>
    public const string ZoneShardsHomed = "broker.zone.shards.homed";

    /// <summary>Partition shards hosted by the zone's nodes, per consumer and zone (cluster-wide, as published). Unit <c>{shard}</c>.</summary>
    public const string ZoneShardsHosted = "broker.zone.shards.hosted";

    /// <summary>
    /// Records handled on this node, labelled with this node's zone and <see cref="ZonePlacementTag"/>: <c>home</c> when
    /// the record's partition was hosted in its home zone, <c>away</c> when failed over to another zone, <c>unknown</c>
    /// while no home zone was published. The in-zone share is home over all. Unit <c>{record}</c>.
    /// </summary>
    public const string ZoneRecordsHandled = "broker.zone.records.handled";

    private static readonly ConcurrentDictionary<ConsumerRuntime, byte> Observed = new();

    private static readonly ConcurrentDictionary<ZoneTelemetry, byte> ObservedZones = new();

    private static readonly string? Version = typeof(BrokerTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource ActivitySource = new(new ActivitySourceOptions(Name) { Version = Version, TelemetrySchemaUrl = SchemaUrl });

    internal static readonly Meter Meter = new(new MeterOptions(Name) { Version = Version, TelemetrySchemaUrl = SchemaUrl });

    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>(RecordsConsumed, "{record}", "Records handed from the Kafka consumer to partition owners.");
    internal static readonly Counter<long> Handled = Meter.CreateCounter<long>(RecordsHandled, "{record}", "Records whose handler call completed.");
    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>(RecordsFailed, "{call}", "Handler calls that threw or timed out.");
    internal static readonly Counter<long> Retried = Meter.CreateCounter<long>(RecordsRetried, "{call}", "Handler calls retried after a failure.");
    internal static readonly Counter<long> TimedOut = Meter.CreateCounter<long>(RecordsTimedOut, "{call}", "Handler calls that ran past their deadline.");
    internal static readonly Counter<long> BreakerOpenings = Meter.CreateCounter<long>(BreakerOpened, "{transition}", "Circuit breaker transitions from Closed to Open.");
    internal static readonly Counter<long> Overflows = Meter.CreateCounter<long>(MailboxOverflows, "{message}", "Messages dropped because an entity's bounded mailbox was full.");
    internal static readonly Counter<long> Skipped = Meter.CreateCounter<long>(RecordsSkipped, "{record}", "Redelivered records skipped because their key had already finished them.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(RecordsDeadLettered, "{record}", "Records written to a dead-letter topic.");

    internal static readonly Counter<long> ZoneHandled = Meter.CreateCounter<long>(ZoneRecordsHandled, "{record}",
        "Records handled, by whether their partition was hosted in its home zone (home, away, unknown).");

    // Bounds in seconds. Handler calls: the messaging semantic conventions' process-duration buckets, up to
    // the default 30 s handler timeout. End to end: the same start, then minutes and an hour for a backlog.
    internal static readonly Histogram<double> HandlerDurations = Meter.CreateHistogram(HandlerDuration, "s",
        "Duration of each handler call.", null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30] });
    internal static readonly Histogram<double> EndToEndLatencies = Meter.CreateHistogram(EndToEndLatency, "s",
        "Time from a record's Kafka timestamp to its handler completing.", null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

    static BrokerTelemetry()
    {
        Meter.CreateObservableGauge(PartitionsPaused, () => Observe(c => c.Consumer.Status.Count(p => p.Paused)),
            "{partition}", "Partitions paused on the Kafka consumer (window full or memory guard).");
        Meter.CreateObservableGauge(RecordsInFlight, () => Observe(c => c.Consumer.Status.Sum(p => p.InFlight)),
            "{record}", "Records accepted from Kafka and not yet done.");
        Meter.CreateObservableGauge(KeyedConsumersLive, () => Observe(c => c.LiveKeys),
            "{entity}", "Keyed consumers alive on this node.");
        Meter.CreateObservableGauge(BreakerStateName, () => Observe(c => (int)c.BreakerState),
            "{state}", "Circuit breaker state: 0 Closed, 1 Open, 2 Half-open.");
        Meter.CreateObservableGauge(Shards, () => Observe(c => c.Consumer.Status.Count(p => p.Assigned)),
            "{shard}", "Shards (partitions) of the consumer's sharding region hosted on this node.");
        Meter.CreateObservableGauge(ConsumerLag, ObserveLag,
            "{record}", "Consumer-group lag per partition consumed on this node: end offset minus committed offset.");
        Meter.CreateObservableGauge(ZoneScore, () => ObserveZones(z => z.Score),
            "%", "Zone health score, 0..100, as last published by the consumer's shard coordinator.");
        Meter.CreateObservableGauge(ZoneStateName, () => ObserveZones(z => (int)z.State),
            "{state}", "Zone failover state: 0 Healthy, 1 Draining, 2 Failed, 3 Recovering.");
        Meter.CreateObservableGauge(ZoneShardsHomed, () => ObserveZones(z => z.ShardsHomed),
            "{shard}", "Partition shards whose home zone is the zone.");
        Meter.CreateObservableGauge(ZoneShardsHosted, () => ObserveZones(z => z.ShardsHosted),
            "{shard}", "Partition shards hosted by the zone's nodes.");
    }

    /// <summary>Makes a consumer's gauges observable until <see cref="Forget(ConsumerRuntime)"/>.</summary>
    internal static void Observe(ConsumerRuntime consumer)
    {
        Observed[consumer] = 0;
        Observe(consumer.Counters.Zones);
    }

    internal static void Forget(ConsumerRuntime consumer)
    {
        Observed.TryRemove(consumer, out _);
        Forget(consumer.Counters.Zones);
    }

    /// <summary>Makes the zone gauges report <paramref name="zones"/>'s consumer's zones until <see cref="Forget(ZoneTelemetry)"/>.</summary>
    internal static void Observe(ZoneTelemetry zones) => ObservedZones[zones] = 0;

    internal static void Forget(ZoneTelemetry zones) => ObservedZones.TryRemove(zones, out _);

    private static IEnumerable<Measurement<T>> ObserveZones<T>(Func<ZoneStatus, T> value) where T : struct =>
        ObservedZones.Keys.SelectMany(t => (t.View?.Zones ?? [])
            .Where(z => z.Consumer == t.Consumer)
            .Select(z => new Measurement<T>(value(z),
                new KeyValuePair<string, object?>(ConsumerTag, t.Consumer), new KeyValuePair<string, object?>(TopicTag, t.Topic),
                new KeyValuePair<string, object?>(ZoneTag, z.Zone))));

    private static IEnumerable<Measurement<long>> ObserveLag() =>
        Observed.Keys.SelectMany(c => c.Consumer.Status
            .Where(p => p.Assigned && p.Lag is not null)
            .Select(p => new Measurement<long>(p.Lag!.Value,
                new KeyValuePair<string, object?>(ConsumerTag, c.Name), new KeyValuePair<string, object?>(TopicTag, c.Topic),
                new KeyValuePair<string, object?>(PartitionTag, p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    private static IEnumerable<Measurement<int>> Observe(Func<ConsumerRuntime, int> value) =>
        Observed.Keys.Select(c => new Measurement<int>(value(c),
            new KeyValuePair<string, object?>(ConsumerTag, c.Name), new KeyValuePair<string, object?>(TopicTag, c.Topic)));
}
