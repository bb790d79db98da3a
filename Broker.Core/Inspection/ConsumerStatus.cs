namespace Broker.Inspection;

/// <summary>One consumer definition on this node: its totals since start and its partitions.</summary>
/// <param name="Name">The consumer definition's name.</param>
/// <param name="Topic">The topic it consumes.</param>
/// <param name="GroupId">The consumer group it commits to.</param>
/// <param name="Consumed">Records handed from Kafka to partition owners.</param>
/// <param name="Handled">Records whose handler call completed.</param>
/// <param name="Failed">Handler calls that threw or timed out (every attempt counts).</param>
/// <param name="DeadLettered">Records written to the dead-letter topic.</param>
/// <param name="Retried">Handler calls made again after a failure.</param>
/// <param name="TimedOut">Handler calls that ran past their deadline.</param>
/// <param name="Skipped">Redelivered records (after a crash or a move) skipped because their key's watermark showed them finished.</param>
/// <param name="LiveKeys">Keyed consumers (sharded entities, one per key) alive on this node.</param>
/// <param name="Breaker">The consumer's circuit breaker state on this node.</param>
/// <param name="BreakerOpened">How many times the breaker went from Closed to Open.</param>
/// <param name="Partitions">Every partition this node has consumed since start, by partition number.</param>
public sealed record ConsumerStatus(
    string Name,
    string Topic,
    string GroupId,
    long Consumed,
    long Handled,
    long Failed,
    long DeadLettered,
    long Retried,
    long TimedOut,
    long Skipped,
    int LiveKeys,
    Broker.Resilience.BreakerState Breaker,
    int BreakerOpened,
    IReadOnlyList<PartitionStatus> Partitions)
{
    /// <summary>
    /// Of <see cref="Handled"/>, the records whose partition was hosted in its home zone (this node's zone), as published
    /// by the consumer's shard coordinator. With <see cref="HandledOutsideHomeZone"/>, the in-zone share; records handled
    /// while no home zone was known count in neither.
    /// </summary>
    public long HandledInHomeZone { get; init; }

    /// <summary>Of <see cref="Handled"/>, the records whose partition was hosted outside its home zone (failed over here).</summary>
    public long HandledOutsideHomeZone { get; init; }

    /// <summary>Records accepted and not yet done, over all partitions.</summary>
    public int InFlight => Partitions.Sum(p => p.InFlight);

    /// <summary>Summed lag of the partitions whose lag is known.</summary>
    public long Lag => Partitions.Sum(p => p.Lag ?? 0);
}
