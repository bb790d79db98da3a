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
    private readonly System.Collections.Concurrent.ConcurrentQueue<List<ConsumeResult<byte[], byte[]>>> _handover = new();
    private readonly object _gate = new();
    private int _inFlight;
    private bool _retired;
    private int _wakePending;
    private long _lastRelease = Environment.TickCount64;

    private readonly InFlightBudget _budget;

    public PartitionLane(TopicPartition topicPartition, IActorRef owner, int generation, int window, int resumeBelow,
        InFlightBudget budget)
    {
        _budget = budget;
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

    /// <summary>When the owner last released records (Environment.TickCount64, ms).</summary>
    public long LastRelease => Volatile.Read(ref _lastRelease);

    /// <summary>Records handed to the owner and not yet released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Owner: <paramref name="records"/> records are done.</summary>
    public void Release(int records)
    {
        lock (_gate)
        {
            if (_retired) return;
            _inFlight -= records;
            _budget.Return(records);
            Volatile.Write(ref _lastRelease, Environment.TickCount64);
        }
    }

    /// <summary>
    /// Owner: this lane is finished with (its partition stopped or was assigned again). What it still
    /// counts goes back to the consumer's budget, and later hand-overs and releases change nothing.
    /// </summary>
    public void Retire()
    {
        lock (_gate)
        {
            if (_retired) return;
            _retired = true;
            _budget.Return(_inFlight);
            _inFlight = 0;
        }
    }

    /// <summary>
    /// Poll thread: hands over one poll round's records. Returns true when the owner must be told
    /// (it is not already due to take records), so a busy owner gets one larger batch instead of many.
    /// </summary>
    internal bool Offer(List<ConsumeResult<byte[], byte[]>> records)
    {
        lock (_gate)
        {
            if (_retired) return false;
            _inFlight += records.Count;
            _budget.Take(records.Count);
        }
        _handover.Enqueue(records);
        return Interlocked.Exchange(ref _wakePending, 1) == 0;
    }

    /// <summary>Owner: takes every record handed over so far, oldest first.</summary>
    public void TakeAll(List<List<ConsumeResult<byte[], byte[]>>> into)
    {
        // Clear the flag before draining: anything offered after this point sends a new wake-up.
        Volatile.Write(ref _wakePending, 0);
        while (_handover.TryDequeue(out var records)) into.Add(records);
    }

    // ---- poll thread only ----

    /// <summary>Records accepted this poll round, handed to the owner as one batch (a new list each round).</summary>
    internal List<ConsumeResult<byte[], byte[]>>? Batch;

    /// <summary>How many records the previous batch held (the next one's starting capacity).</summary>
    internal int LastBatchSize;

    /// <summary>Why the partition is paused on the consumer (none: fetching).</summary>
    internal PauseReasons Paused;

    /// <summary>True once the owner asked to stop fetching: everything fetched after that is dropped.</summary>
    internal bool Draining;

    /// <summary>Where fetching continues when the pause ends: the first record dropped while paused, or -1.</summary>
    internal long ResumeOffset = -1;

    /// <summary>
    /// Nothing was dropped since the last accepted record, so a consumer position beyond
    /// <see cref="NextOffset"/> can only be skipped control or aborted records.
    /// </summary>
    internal bool NoDropSinceAccept = true;

    /// <summary>The offset after the last accepted record, or -1 before the first.</summary>
    internal long NextOffset = -1;

    /// <summary>The owner's offset tracker's highest in-flight count, published by the owner for status readers.</summary>
    public int TrackerPeak
    {
        get => Volatile.Read(ref _trackerPeak);
        set => Volatile.Write(ref _trackerPeak, value);
    }

    private int _trackerPeak;

    /// <summary>The most idempotency watermarks the owner held at once for this lane, published for status readers.</summary>
    public int WatermarkPeak
    {
        get => Volatile.Read(ref _watermarkPeak);
        set => Volatile.Write(ref _watermarkPeak, value);
    }

    private int _watermarkPeak;

    // ---- written by the poll thread, read by status readers ----
    internal long Committed = Offset.Unset.Value;
    internal long HighWatermark = Offset.Unset.Value;
    internal long LowWatermark = Offset.Unset.Value;
}
