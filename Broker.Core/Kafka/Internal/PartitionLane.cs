using Akka.Actor;
using Confluent.Kafka;

namespace Broker.Kafka.Internal;

/// <summary>
/// One assigned partition as the poll loop and its partition owner share it: the owner's address, its
/// generation (records and acks of an older generation are ignored), and the in-flight count that is
/// the flow control between them. The owner calls <see cref="Release"/>; every other member belongs to
/// the poll thread.
/// </summary>
internal sealed class PartitionLane
{
    private int _inFlight;

    public PartitionLane(TopicPartition topicPartition, IActorRef owner, int generation, int window, int resumeBelow)
    {
        TopicPartition = topicPartition;
        Owner = owner;
        Generation = generation;
        Window = window;
        ResumeBelow = resumeBelow;
    }

    public TopicPartition TopicPartition { get; }
    public int Partition => TopicPartition.Partition.Value;
    public IActorRef Owner { get; }
    public int Generation { get; }

    /// <summary>Maximum records accepted and not yet done.</summary>
    public int Window { get; }

    /// <summary>A window-paused lane resumes at or below this many in flight.</summary>
    public int ResumeBelow { get; }

    /// <summary>Records handed to the owner and not yet released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Called by the owner when <paramref name="records"/> records are done.</summary>
    public void Release(int records) => Interlocked.Add(ref _inFlight, -records);

    internal void Accept() => Interlocked.Increment(ref _inFlight);

    // ---- poll thread only ----

    /// <summary>Records accepted this poll round, flushed to the owner as one batch.</summary>
    internal readonly List<ConsumeResult<byte[], byte[]>> Batch = new();

    /// <summary>True while paused on the consumer because the window was full.</summary>
    internal bool PausedByWindow;

    /// <summary>True once the owner asked to stop fetching: everything fetched after that is dropped.</summary>
    internal bool Draining;

    /// <summary>Seeked back to the first dropped record since the last pause (so nothing dropped is lost).</summary>
    internal bool Seeked;

    /// <summary>
    /// Nothing was dropped since the last accepted record, so a consumer position beyond
    /// <see cref="NextOffset"/> can only be skipped control or aborted records.
    /// </summary>
    internal bool NoDropSinceAccept = true;

    /// <summary>The offset after the last accepted record, or -1 before the first.</summary>
    internal long NextOffset = -1;

    // ---- written by the poll thread, read by status readers ----
    internal long Committed = Offset.Unset.Value;
    internal long HighWatermark = Offset.Unset.Value;
    internal long LowWatermark = Offset.Unset.Value;
}
