namespace Broker.Processing.Internal;

internal sealed partial class PartitionOwner
{
    /// <summary>
    /// From the partition discovery singleton, through the sharding region: the owner of
    /// <paramref name="Topic"/>/<paramref name="Partition"/> must run. Starts it on first delivery;
    /// repeated as a keep-alive (a no-op while it runs).
    /// </summary>
    public sealed record Ensure(string Topic, int Partition);

    /// <summary>
    /// From the poll loop: records of this partition, fetched for <paramref name="Generation"/>, wait in the
    /// lane (<see cref="Kafka.Internal.PartitionLane.TakeAll"/>). Sent once per batch of hand-overs, not per poll round.
    /// </summary>
    public sealed record RecordsAvailable(int Generation);

    /// <summary>From a keyed consumer (the sender) that has started for <paramref name="Generation"/>.</summary>
    public sealed record KeyStarted(string EntityId, int Generation);

    /// <summary>
    /// From a keyed consumer: the partition is draining, and it gave up the records of <paramref name="Key"/> (the
    /// owner's token for the key) it had not finished in <paramref name="Generation"/>, since the next one was
    /// waiting on the breaker or for a retry. Those it finished were reported to the inbox before.
    /// </summary>
    public sealed record KeyYielded(object Key, int Generation);

    /// <summary>From a keyed consumer: reports of finished records wait in the <see cref="OwnerInbox"/>.</summary>
    public sealed class CompletionsAvailable
    {
        public static readonly CompletionsAvailable Instance = new();
        private CompletionsAvailable() { }
    }

    /// <summary>
    /// Stop fetching, finish what was accepted (bounded by the drain timeout), commit, and reply
    /// <see cref="Drained"/>; the owner stays up (idle) until its shard stops it.
    /// </summary>
    public sealed class Drain
    {
        public static readonly Drain Instance = new();
        private Drain() { }
    }

    /// <summary>Reply to <see cref="Drain"/>: <paramref name="CommittedOffset"/> was committed (null if nothing was ever consumed).</summary>
    public sealed record Drained(string ShardId, long? CommittedOffset);

    private sealed record FetchStopped(int Generation);

    /// <summary>Kafka confirmed the final commit of a drain.</summary>
    private sealed record CommitConfirmed(int Generation, long Offset);

    /// <summary>Kafka confirmed a periodic commit (sent only when watermarks are on, to prune them).</summary>
    private sealed record OffsetCommitted(int Generation, long Offset);

    private sealed class CommitTick
    {
        public static readonly CommitTick Instance = new();
    }

    private sealed class PassivationTick
    {
        public static readonly PassivationTick Instance = new();
    }

    private sealed class DrainTimeout
    {
        public static readonly DrainTimeout Instance = new();
    }

    private sealed class WatermarkFlushTick
    {
        public static readonly WatermarkFlushTick Instance = new();
    }

    private sealed class WatermarkStoreRetry
    {
        public static readonly WatermarkStoreRetry Instance = new();
    }

    private sealed class FinalFlushTimeout
    {
        public static readonly FinalFlushTimeout Instance = new();
    }
}
