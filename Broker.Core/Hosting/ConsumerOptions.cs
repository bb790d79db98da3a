using Confluent.Kafka;

namespace Broker.Hosting;

/// <summary>
/// Tuning of a consumer. Every property is an override: null keeps the value from the level below
/// (Broker's <c>reference.conf</c> &lt; the <c>Broker:Consumer</c> configuration section &lt; a consumer's
/// own <see cref="ConsumerDefinition{TMessage}.Options"/>). Configuration keys are the property names
/// under <c>Broker:Consumer</c>; durations accept <c>500ms</c>, <c>5s</c>, <c>2m</c> or <c>00:00:05</c>.
/// </summary>
public sealed class ConsumerOptions
{
    /// <summary>
    /// Records of one partition accepted and not yet done. When reached, the partition is paused on the
    /// Kafka consumer until it drains to <see cref="ResumeAt"/>. Unit: records. Default 1000. Range 1..1,000,000.
    /// </summary>
    public int? MaxInFlightPerPartition { get; set; }

    /// <summary>
    /// Records of this consumer accepted on this node and not yet done, over all its partitions. When reached,
    /// the poll loop takes no more records from librdkafka until some finish, so a backlog waits in Kafka
    /// rather than in memory. Unit: records. Default 5000. Range MaxInFlightPerPartition..10,000,000.
    /// </summary>
    public int? MaxInFlight { get; set; }

    /// <summary>Records of one key handed to its keyed consumer and not yet done. Unit: records. Default 100. Range 1..MaxInFlightPerPartition.</summary>
    public int? MaxInFlightPerKey { get; set; }

    /// <summary>A paused partition resumes when its in-flight records fall to this share of the window. Default 0.5. Range 0..1 (exclusive of 1).</summary>
    public double? ResumeAt { get; set; }

    /// <summary>How often a partition owner commits the highest offset below which all is done. Default 1 s. Range 10 ms..1 h.</summary>
    public TimeSpan? CommitInterval { get; set; }

    /// <summary>
    /// How long a stopping partition owner (hand-off, shutdown) waits for in-flight records before it commits and stops. Default 10 s.
    /// With <see cref="Watermarks"/> on, records waiting on an Open breaker or for a retry are not waited for: the partition's next owner runs them.
    /// </summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>How often topic metadata is read to find new partitions and re-ensure partition owners. Default 5 s.</summary>
    public TimeSpan? PartitionDiscoveryInterval { get; set; }

    /// <summary>
    /// Keyed consumers (one sharded entity per key) alive per consumer on this node. A new key beyond it
    /// passivates the least recently used idle keyed consumer of its partition (busy ones are never passivated,
    /// and at most <see cref="MaxInFlight"/> can be busy). Unit: entities. Default 10,000. Range 1..10,000,000.
    /// </summary>
    public int? MaxLiveKeys { get; set; }

    /// <summary>
    /// A keyed consumer (sharded entity) with nothing in flight for this long is passivated, as much as a twentieth of
    /// it (at most 1 s) early: a busy key's last use is noted that often, not on every record. Default 120 s.
    /// </summary>
    public TimeSpan? PassivateIdleAfter { get; set; }

    /// <summary>What to do with null-key records. Default <see cref="NullKeyPolicy.Partition"/>.</summary>
    public NullKeyPolicy? NullKeys { get; set; }

    /// <summary>How handler instances are obtained. Default <see cref="HandlerLifetime.Scoped"/>.</summary>
    public HandlerLifetime? HandlerLifetime { get; set; }

    /// <summary>Where a partition without a committed offset starts (librdkafka <c>auto.offset.reset</c>). Default earliest.</summary>
    public AutoOffsetReset? AutoOffsetReset { get; set; }

    /// <summary>Records the poll loop takes from librdkafka per round before handing them over. Default 2000. Range 1..100,000.</summary>
    public int? MaxPollRecords { get; set; }

    /// <summary>Dead letters of topic T go to T + this suffix. Default <c>.dlt</c>.</summary>
    public string? DeadLetterTopicSuffix { get; set; }

    /// <summary>
    /// Handler calls per record before it goes to the dead-letter topic (reason <c>handler</c> or <c>timeout</c>).
    /// Retries run in the record's keyed consumer: the key's later records wait, other keys go on. While the
    /// circuit breaker is Open no call is made, so an outage does not use up attempts. Default 5. Range 1..1,000.
    /// </summary>
    public int? MaxAttempts { get; set; }

    /// <summary>First backoff between attempts; it doubles per attempt, with jitter (Polly). Default 100 ms.</summary>
    public TimeSpan? RetryBaseDelay { get; set; }

    /// <summary>Longest backoff between attempts. Default 10 s.</summary>
    public TimeSpan? RetryMaxDelay { get; set; }

    /// <summary>
    /// Each handler call's deadline: its CancellationToken fires then and the call fails with kind
    /// <c>timeout</c>. A record whose <c>broker.deadline</c> header is earlier keeps that. Default 30 s.
    /// </summary>
    public TimeSpan? HandlerTimeout { get; set; }

    /// <summary>Handler calls per second for this consumer on this node (token bucket); 0 = no limit. Default 0.</summary>
    public double? MaxRecordsPerSecond { get; set; }

    /// <summary>Handler calls running at once for this consumer on this node, over all keys; 0 = no limit. Default 0.</summary>
    public int? MaxConcurrentHandlers { get; set; }

    /// <summary>
    /// Idempotency watermarks: each partition owner persists, per key, the highest offset it has finished
    /// (in the <see cref="BrokerPersistenceOptions">Broker:Persistence</see> database), so after a crash or a
    /// move a redelivered record at or below its key's watermark is skipped (counted as skipped), not run
    /// again. Default true. Off, a crash re-runs the records finished since the last commit.
    /// </summary>
    public bool? Watermarks { get; set; }

    /// <summary>How often a partition owner persists the watermarks that advanced. Default 100 ms.</summary>
    public TimeSpan? WatermarkFlushInterval { get; set; }

    /// <summary>
    /// Keys per partition whose watermark is above the partition's committed offset (only those matter).
    /// When reached, the partition takes no more records until commits catch up. Default 20,000. Range 100..10,000,000.
    /// </summary>
    public int? MaxWatermarksPerPartition { get; set; }

    /// <summary>The circuit breaker (<c>Broker:Consumer:Breaker</c>).</summary>
    public BreakerOptions Breaker { get; } = new();
}
