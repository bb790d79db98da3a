using Config = Akka.Configuration.Config;
using Confluent.Kafka;

namespace Broker.Hosting.Internal;

/// <summary>The effective, immutable settings of one consumer (see <see cref="ConsumerOptions"/> for each one's meaning).</summary>
internal sealed record ConsumerSettings(
    int MaxInFlight,
    int MaxInFlightPerPartition,
    int MaxInFlightPerKey,
    double ResumeAt,
    TimeSpan CommitInterval,
    TimeSpan DrainTimeout,
    TimeSpan PartitionDiscoveryInterval,
    int MaxLiveKeys,
    TimeSpan PassivateIdleAfter,
    NullKeyPolicy NullKeys,
    HandlerLifetime HandlerLifetime,
    AutoOffsetReset AutoOffsetReset,
    int MaxPollRecords,
    string DeadLetterTopicSuffix,
    int MaxAttempts,
    TimeSpan RetryBaseDelay,
    TimeSpan RetryMaxDelay,
    TimeSpan HandlerTimeout,
    double MaxRecordsPerSecond,
    int MaxConcurrentHandlers,
    bool BreakerEnabled,
    Broker.Resilience.Internal.CircuitBreakerSettings Breaker,
    bool Watermarks,
    TimeSpan WatermarkFlushInterval,
    int MaxWatermarksPerPartition)
{
    /// <summary>Reads <c>broker.consumer</c> from <paramref name="config"/> (Broker's reference.conf).</summary>
    public static ConsumerSettings FromConfig(Config config)
    {
        var c = config.GetConfig("broker.consumer");
        return new ConsumerSettings(
            c.GetInt("max-in-flight"),
            c.GetInt("max-in-flight-per-partition"),
            c.GetInt("max-in-flight-per-key"),
            c.GetDouble("resume-at"),
            c.GetTimeSpan("commit-interval"),
            c.GetTimeSpan("drain-timeout"),
            c.GetTimeSpan("partition-discovery-interval"),
            c.GetInt("max-live-keys"),
            c.GetTimeSpan("passivate-idle-after"),
            c.GetString("null-keys") == "dead-letter" ? NullKeyPolicy.DeadLetter : NullKeyPolicy.Partition,
            c.GetString("handler-lifetime") == "singleton" ? HandlerLifetime.Singleton : HandlerLifetime.Scoped,
            c.GetString("auto-offset-reset") == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            c.GetInt("max-poll-records"),
            c.GetString("dead-letter-topic-suffix"),
            c.GetInt("max-attempts"),
            c.GetTimeSpan("retry-base-delay"),
            c.GetTimeSpan("retry-max-delay"),
            c.GetTimeSpan("handler-timeout"),
            c.GetDouble("max-records-per-second"),
            c.GetInt("max-concurrent-handlers"),
            c.GetBoolean("breaker.enabled"),
            new Broker.Resilience.Internal.CircuitBreakerSettings(
                c.GetInt("breaker.window-calls"),
                c.GetTimeSpan("breaker.window-duration"),
                c.GetInt("breaker.minimum-calls"),
                c.GetDouble("breaker.failure-rate"),
                c.GetTimeSpan("breaker.slow-call-duration"),
                c.GetDouble("breaker.slow-call-rate"),
                c.GetTimeSpan("breaker.open-duration"),
                c.GetInt("breaker.half-open-calls")),
            c.GetBoolean("watermarks"),
            c.GetTimeSpan("watermark-flush-interval"),
            c.GetInt("max-watermarks-per-partition"));
    }

    /// <summary>These settings with every non-null value of <paramref name="o"/> applied.</summary>
    public ConsumerSettings With(ConsumerOptions o) => new(
        o.MaxInFlight ?? MaxInFlight,
        o.MaxInFlightPerPartition ?? MaxInFlightPerPartition,
        o.MaxInFlightPerKey ?? MaxInFlightPerKey,
        o.ResumeAt ?? ResumeAt,
        o.CommitInterval ?? CommitInterval,
        o.DrainTimeout ?? DrainTimeout,
        o.PartitionDiscoveryInterval ?? PartitionDiscoveryInterval,
        o.MaxLiveKeys ?? MaxLiveKeys,
        o.PassivateIdleAfter ?? PassivateIdleAfter,
        o.NullKeys ?? NullKeys,
        o.HandlerLifetime ?? HandlerLifetime,
        o.AutoOffsetReset ?? AutoOffsetReset,
        o.MaxPollRecords ?? MaxPollRecords,
        o.DeadLetterTopicSuffix ?? DeadLetterTopicSuffix,
        o.MaxAttempts ?? MaxAttempts,
        o.RetryBaseDelay ?? RetryBaseDelay,
        o.RetryMaxDelay ?? RetryMaxDelay,
        o.HandlerTimeout ?? HandlerTimeout,
        o.MaxRecordsPerSecond ?? MaxRecordsPerSecond,
        o.MaxConcurrentHandlers ?? MaxConcurrentHandlers,
        o.Breaker.Enabled ?? BreakerEnabled,
        new Broker.Resilience.Internal.CircuitBreakerSettings(
            o.Breaker.WindowCalls ?? Breaker.WindowCalls,
            o.Breaker.WindowDuration ?? Breaker.WindowDuration,
            o.Breaker.MinimumCalls ?? Breaker.MinimumCalls,
            o.Breaker.FailureRate ?? Breaker.FailureRateThreshold,
            o.Breaker.SlowCallDuration ?? Breaker.SlowCallDuration,
            o.Breaker.SlowCallRate ?? Breaker.SlowCallRateThreshold,
            o.Breaker.OpenDuration ?? Breaker.OpenDuration,
            o.Breaker.HalfOpenCalls ?? Breaker.HalfOpenTrialCalls),
        o.Watermarks ?? Watermarks,
        o.WatermarkFlushInterval ?? WatermarkFlushInterval,
        o.MaxWatermarksPerPartition ?? MaxWatermarksPerPartition);

    /// <summary>Records in flight at which a paused partition resumes.</summary>
    public int ResumeBelow => Math.Max(0, (int)(MaxInFlightPerPartition * ResumeAt));
}
