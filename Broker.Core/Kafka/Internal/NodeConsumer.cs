using System.Collections.Concurrent;
using Broker.Hosting.Internal;
using Broker.Inspection;
using Broker.Processing.Internal;
using Broker.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>
/// This node's Kafka consumer for one consumer definition: one Confluent.Kafka consumer polled on a
/// dedicated thread (never an Akka dispatcher thread). It holds exactly the partitions that partition
/// owners on this node registered (manual incremental assignment, never <c>Subscribe</c>), hands their
/// records over in one batch per partition per poll round, pauses a partition whose in-flight window is
/// full and commits the offsets owners report. Every other thread talks to it through commands that
/// the poll thread runs between polls, because a Confluent.Kafka consumer is not thread-safe.
/// </summary>
internal sealed class NodeConsumer : IDisposable
{
    private static readonly TimeSpan CommitRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PausedWatermarkTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StalledResumeAfter = TimeSpan.FromMilliseconds(250);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly string _topic;
    private readonly ConsumerSettings _settings;
    private readonly ConsumerCounters _counters;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Dictionary<int, PartitionLane> _lanes = new();
    private readonly Dictionary<int, PartitionLane> _known = new();
    private readonly ConcurrentDictionary<int, PartitionLane> _assigned = new();
    private readonly Dictionary<int, PendingCommit> _pendingCommits = new();
    private readonly List<PartitionLane> _touched = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly InFlightBudget _budget;
    private readonly MemoryGuard _memory;
    private readonly Resilience.Internal.CircuitBreaker? _breaker;
    private volatile bool _stopping;
    private volatile bool _fenced;
    private volatile IReadOnlyList<PartitionStatus> _status = [];
    private DateTime _nextStatus = DateTime.MinValue;
    private int _pausedWatermarkTurn = -1; // which paused partition's watermarks the next status refresh asks the brokers for
    private DateTime _nextCommitAttempt = DateTime.MinValue;
    private long _lastPollTicks = DateTime.UtcNow.Ticks;

    public NodeConsumer(ConsumerConfig config, string name, string topic, ConsumerSettings settings,
        ConsumerCounters counters, MemoryGuard memory, Resilience.Internal.CircuitBreaker? breaker, ILogger logger)
    {
        _memory = memory;
        _breaker = breaker;
        _topic = topic;
        _settings = settings;
        _counters = counters;
        _logger = logger;
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .SetErrorHandler((_, e) => logger.Log(e.IsFatal ? LogLevel.Critical : LogLevel.Warning,
                "Kafka consumer error on {Topic}: {Code} {Reason}", topic, e.Code, e.Reason))
            .Build();
        _budget = new InFlightBudget(settings.MaxInFlight);
        _thread = new Thread(Run) { IsBackground = true, Name = $"broker-poll-{name}" };
        MaxPollInterval = TimeSpan.FromMilliseconds(config.MaxPollIntervalMs ?? DefaultMaxPollIntervalMs);
    }

    /// <summary>librdkafka's default <c>max.poll.interval.ms</c>.</summary>
    private const int DefaultMaxPollIntervalMs = 300_000;

    /// <summary>The consumer's <c>max.poll.interval.ms</c>: a poll loop silent for longer is not healthy.</summary>
    public TimeSpan MaxPollInterval { get; }

    /// <summary>When the poll loop last began a round (polling librdkafka, or waiting for room or partitions), UTC.</summary>
    public DateTime LastPoll => new(Volatile.Read(ref _lastPollTicks), DateTimeKind.Utc);

    /// <summary>How many partitions this node fetches now. Thread-safe.</summary>
    public int AssignedPartitions => _assigned.Count;

    /// <summary>
    /// The state of every partition this node fetches, read by the poll thread between two polls (so it is
    /// the live state, not a cached copy). Fails when the consumer has stopped.
    /// </summary>
    public Task<IReadOnlyList<PartitionSnapshot>> InspectAsync()
    {
        if (_stopping || _stopped.Task.IsCompleted)
            return Task.FromException<IReadOnlyList<PartitionSnapshot>>(new InvalidOperationException($"the consumer of {_topic} has stopped."));
        var answer = new TaskCompletionSource<IReadOnlyList<PartitionSnapshot>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() => answer.TrySetResult(Snapshot()));
        return answer.Task;
    }

    /// <summary>The latest per-partition status (refreshed every 500 ms by the poll thread).</summary>
    public IReadOnlyList<PartitionStatus> Status => _status;

    /// <summary>The partition owners whose partitions this node fetches now. Thread-safe.</summary>
    public IReadOnlyList<Akka.Actor.IActorRef> Owners => _assigned.Values.Select(l => l.Owner).ToArray();

    public void Start() => _thread.Start();

    /// <summary>
    /// Starts fetching <paramref name="partition"/> for <paramref name="owner"/> from the committed offset
    /// (or <c>auto.offset.reset</c>). A lane the partition had before is replaced and fetching restarts.
    /// </summary>
    public PartitionLane Assign(int partition, Akka.Actor.IActorRef owner, int generation)
    {
        var lane = new PartitionLane(new TopicPartition(_topic, partition), owner, generation,
            _settings.MaxInFlightPerPartition, _settings.ResumeBelow, _budget);
        Enqueue(() =>
        {
            var tp = lane.TopicPartition;
            if (_lanes.Remove(partition, out var old))
            {
                _logger.LogInformation("Re-assigning {Topic}/{Partition} (generation {Old} -> {New})",
                    _topic, partition, old.Generation, generation);
                Unassign(tp);
            }
            CommitPending(force: true); // so the new lane starts from the newest commit
            _lanes[partition] = lane;
            _assigned[partition] = lane;
            _known[partition] = lane;
            _consumer.IncrementalAssign([new TopicPartitionOffset(tp, Offset.Unset)]);
            lane.Committed = CommittedOffset(tp);
            _logger.LogInformation("Fetching {Topic}/{Partition} from committed offset {Committed}",
                _topic, partition, lane.Committed >= 0 ? lane.Committed : "none");
            _nextStatus = DateTime.MinValue; // the status shows a change of partitions at once
        });
        return lane;
    }

    /// <summary>
    /// Stops fetching for <paramref name="lane"/>: from now on nothing more is handed to its owner.
    /// Then runs <paramref name="onStopped"/> on the poll thread (after the last batch was sent).
    /// The partition stays assigned, so a final commit can still skip trailing transaction markers.
    /// </summary>
    public void StopFetching(PartitionLane lane, Action onStopped) => Enqueue(() =>
    {
        if (_lanes.TryGetValue(lane.Partition, out var current) && current == lane && !lane.Draining)
        {
            lane.Draining = true;
            _consumer.Pause([lane.TopicPartition]);
            // Before the owner hears of it (and so before the partition can move): no status may show this node
            // fetching a partition the next node already fetches.
            _nextStatus = DateTime.MinValue;
            RefreshStatus();
        }
        onStopped();
    });

    /// <summary>
    /// librdkafka keeps a partition's application pause across unassign and assign: a partition this node
    /// drained (paused) and gave away would never fetch again if it came back. Resumed first, it comes back clean.
    /// </summary>
    private void Unassign(TopicPartition tp)
    {
        _consumer.Resume([tp]);
        _consumer.IncrementalUnassign([tp]);
    }

    /// <summary>Unassigns the partition if <paramref name="lane"/> still holds it.</summary>
    public void Revoke(PartitionLane lane) => Enqueue(() =>
    {
        if (!_lanes.TryGetValue(lane.Partition, out var current) || current != lane) return;
        _lanes.Remove(lane.Partition);
        _assigned.TryRemove(lane.Partition, out _);
        Unassign(lane.TopicPartition);
        _logger.LogInformation("Stopped fetching {Topic}/{Partition} (generation {Generation})",
            _topic, lane.Partition, lane.Generation);
        _nextStatus = DateTime.MinValue;
    });

    /// <summary>
    /// Commits <paramref name="offset"/> for the lane's partition soon (or at once when
    /// <paramref name="onCommitted"/> waits for it). <paramref name="allDone"/> says nothing is in flight,
    /// which lets the commit move past transaction markers that follow the last record.
    /// </summary>
    public void Commit(PartitionLane lane, long offset, bool allDone, Action<long>? onCommitted) => Enqueue(() =>
    {
        _pendingCommits.TryGetValue(lane.Partition, out var pending);
        if (pending is not null && pending.Lane == lane && pending.Offset > offset) offset = pending.Offset;
        // Waiters of an older lane of the same partition are answered by this commit too.
        var next = new PendingCommit(lane, offset, allDone, pending?.Waiters ?? new List<Action<long>>());
        if (onCommitted is not null) next.Waiters.Add(onCommitted);
        _pendingCommits[lane.Partition] = next;
    });

    /// <summary>
    /// True while fenced: this node may no longer own its partitions (it is on the minority side of a
    /// network partition, or was downed), so it neither fetches nor commits. See <see cref="Fence"/>.
    /// </summary>
    public bool IsFenced => _fenced;

    /// <summary>
    /// Stops fetching and committing at once (before the poll thread's next round): another node may take
    /// these partitions over, and a commit from here could move the group's offsets backwards. Records in
    /// flight still run; their commits wait, and are dropped if the node goes down. Thread-safe.
    /// </summary>
    public void Fence()
    {
        if (_fenced) return;
        _fenced = true;
        _wake.Set();
        // The split brain fence says why at Warning when it matters; a node that left gracefully is fenced too.
        _logger.LogInformation("Fenced {Topic}: this node stops fetching and committing", _topic);
    }

    /// <summary>Lifts <see cref="Fence"/>: the node is in the majority again and still owns its partitions. Thread-safe.</summary>
    public void Unfence()
    {
        if (!_fenced) return;
        _fenced = false;
        _wake.Set();
        _logger.LogInformation("Unfenced {Topic}: fetching and committing again", _topic);
    }

    /// <summary>
    /// Stops as a crashed node would: fenced (nothing more is committed, not even what is pending), then the
    /// poll thread closes the consumer. For tests and for a node that was downed.
    /// </summary>
    public Task AbortAsync()
    {
        Fence();
        return StopAsync();
    }

    /// <summary>Asks the poll thread to commit what is pending (unless fenced), close the consumer and end.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        _wake.Set();
        return _stopped.Task;
    }

    private void Enqueue(Action command)
    {
        _commands.Enqueue(command);
        _wake.Set();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                Volatile.Write(ref _lastPollTicks, DateTime.UtcNow.Ticks);
                RunCommands();
                if (_stopping) break;
                if (_lanes.Count == 0)
                {
                    CommitPending(force: false);
                    RefreshStatus(); // its last partition may just have gone: the status must say so
                    _wake.Wait(100);
                    _wake.Reset();
                    continue;
                }
                UpdatePauses();
                if (_budget.WaitForRoom(TimeSpan.FromMilliseconds(50))) Poll();
                CommitPending(force: false);
                RefreshStatus();
            }
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "The poll loop of {Topic} failed; this node stops consuming it", _topic);
        }
        finally
        {
            try
            {
                RunCommands();
                CommitPending(force: true);
                RefreshStatus(final: true);
                _consumer.Close();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Closing the consumer of {Topic} failed", _topic);
            }
            _stopped.TrySetResult();
        }
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            try
            {
                command();
            }
            catch (KafkaException e)
            {
                _logger.LogError(e, "A consumer command on {Topic} failed", _topic);
            }
        }
    }

    private void Poll()
    {
        ConsumeResult<byte[], byte[]>? record;
        // Never take more than the budget has room for, so MaxInFlight is a hard bound.
        var limit = Math.Min(_settings.MaxPollRecords, _budget.Limit - _budget.InFlight);
        try
        {
            record = _consumer.Consume(50);
            var taken = 0;
            while (record is not null)
            {
                Route(record);
                if (++taken >= limit) break;
                record = _consumer.Consume(0);
            }
        }
        catch (ConsumeException e)
        {
            _logger.LogWarning(e, "Consuming {Topic} failed: {Reason}", _topic, e.Error.Reason);
        }
        Flush();
    }

    private void Route(ConsumeResult<byte[], byte[]> record)
    {
        record.Topic = _topic; // not decoded per record (KafkaEndpoint.FetchSettings)
        if (!_lanes.TryGetValue(record.Partition.Value, out var lane)) return; // revoked meanwhile
        if (lane.InFlight + (lane.Batch?.Count ?? 0) >= lane.Window) Pause(lane, PauseReasons.Window);
        if (lane.Draining || lane.Paused != PauseReasons.None)
        {
            // librdkafka may hand over records it fetched before the pause, and it resumes after the last
            // record it handed over: remember the first one dropped, and fetch it again on resume.
            // Nothing fetched is lost, nothing is held.
            if (lane.ResumeOffset < 0) lane.ResumeOffset = record.Offset.Value;
            lane.NoDropSinceAccept = false;
            return;
        }
        if (lane.Batch is null)
        {
            // Sized like the lane's previous batch: grown from empty, a list copies its array up to ten times.
            lane.Batch = new List<ConsumeResult<byte[], byte[]>>(lane.LastBatchSize);
            _touched.Add(lane);
        }
        lane.Batch.Add(record);
        lane.NextOffset = record.Offset.Value + 1;
        lane.NoDropSinceAccept = true;
    }

    private void Flush()
    {
        foreach (var lane in _touched)
        {
            var batch = lane.Batch!;
            lane.Batch = null;
            lane.LastBatchSize = batch.Count;
            if (lane.Offer(batch))
                lane.Owner.Tell(new PartitionOwner.RecordsAvailable(lane.Generation), Akka.Actor.ActorRefs.NoSender);
            _counters.Consumed(batch.Count);
        }
        _touched.Clear();
    }

    /// <summary>
    /// Resumes window-paused lanes that drained to their resume mark, or that have room but made no progress
    /// for <see cref="StalledResumeAfter"/> (a slow key holds the rest back: fill the window with other keys'
    /// records rather than wait), and pauses or resumes all for the memory guard.
    /// </summary>
    private void UpdatePauses()
    {
        var memory = _memory.Tripped;
        // While the breaker is Open no record can be handled: leave them in Kafka. Half-open fetches again, so
        // its trial calls have records to try even when none was in flight (the partition just moved here).
        var breaker = _breaker is not null && _breaker.State == Resilience.BreakerState.Open;
        var stalledSince = Environment.TickCount64 - (long)StalledResumeAfter.TotalMilliseconds;
        foreach (var lane in _lanes.Values)
        {
            if ((lane.Paused & PauseReasons.Window) != 0)
            {
                var inFlight = lane.InFlight;
                if (inFlight <= lane.ResumeBelow || (inFlight < lane.Window && lane.LastRelease <= stalledSince))
                    Unpause(lane, PauseReasons.Window);
            }
            if (memory) Pause(lane, PauseReasons.Memory);
            else Unpause(lane, PauseReasons.Memory);
            if (breaker) Pause(lane, PauseReasons.Breaker);
            else Unpause(lane, PauseReasons.Breaker);
            if (_fenced) Pause(lane, PauseReasons.Fenced);
            else Unpause(lane, PauseReasons.Fenced);
        }
    }

    private void Pause(PartitionLane lane, PauseReasons reason)
    {
        if ((lane.Paused & reason) != 0) return;
        if (lane.Paused == PauseReasons.None && !lane.Draining) _consumer.Pause([lane.TopicPartition]);
        lane.Paused |= reason;
    }

    private void Unpause(PartitionLane lane, PauseReasons reason)
    {
        if ((lane.Paused & reason) == 0) return;
        lane.Paused &= ~reason;
        if (lane.Paused != PauseReasons.None || lane.Draining) return;
        _consumer.Resume([lane.TopicPartition]);
        // The seek both rewinds to the first record dropped while paused and wakes the broker thread, which
        // otherwise notices a resumed partition only on its next 1 s tick (librdkafka 2.16).
        var from = lane.ResumeOffset >= 0 ? lane.ResumeOffset : lane.NextOffset;
        if (from >= 0) _consumer.Seek(new TopicPartitionOffset(lane.TopicPartition, from));
        lane.ResumeOffset = -1;
    }

    private void CommitPending(bool force)
    {
        if (_pendingCommits.Count == 0 || _fenced) return;
        if (!force && DateTime.UtcNow < _nextCommitAttempt) return;
        var commits = new List<(PendingCommit Pending, TopicPartitionOffset Offset)>(_pendingCommits.Count);
        foreach (var p in _pendingCommits.Values)
        {
            var offset = CommitOffset(p);
            if (offset != p.Lane.Committed || p.Waiters.Count > 0)
                commits.Add((p, new TopicPartitionOffset(p.Lane.TopicPartition, offset)));
        }
        if (commits.Count > 0)
        {
            try
            {
                _consumer.Commit(commits.Select(c => c.Offset));
            }
            catch (KafkaException e)
            {
                _logger.LogWarning(e, "Committing offsets of {Topic} failed; retrying in {DelayMs} ms", _topic,
                    (long)CommitRetryDelay.TotalMilliseconds);
                _nextCommitAttempt = DateTime.UtcNow + CommitRetryDelay;
                return;
            }
        }
        _pendingCommits.Clear();
        foreach (var (pending, offset) in commits)
        {
            pending.Lane.Committed = offset.Offset.Value;
            foreach (var waiter in pending.Waiters) waiter(offset.Offset.Value);
        }
    }

    /// <summary>
    /// The owner's offset, or the consumer's position when everything is done and nothing was dropped
    /// since the last accepted record: then the gap between them holds only transaction markers or
    /// aborted records, and committing past them keeps the lag at 0 for a finished transactional topic.
    /// </summary>
    private long CommitOffset(PendingCommit p)
    {
        var lane = p.Lane;
        if (!p.AllDone || !lane.NoDropSinceAccept || lane.NextOffset != p.Offset) return p.Offset;
        if (!_lanes.TryGetValue(lane.Partition, out var current) || current != lane) return p.Offset;
        var position = _consumer.Position(lane.TopicPartition);
        return position.Value > p.Offset ? position.Value : p.Offset;
    }

    private long CommittedOffset(TopicPartition tp)
    {
        try
        {
            return _consumer.Committed([tp], RequestTimeout)[0].Offset.Value;
        }
        catch (KafkaException e)
        {
            _logger.LogWarning(e, "Reading the committed offset of {Topic}/{Partition} failed", tp.Topic, tp.Partition.Value);
            return Offset.Unset.Value;
        }
    }

    /// <summary>
    /// Publishes the status of every partition this node has held. Cached watermarks are fine while
    /// fetching; the final refresh asks the brokers, because it feeds the summary printed at exit. librdkafka
    /// learns a partition's high watermark from its fetches, so a paused partition's would go stale and its lag
    /// read low: each refresh asks the brokers for one paused partition's, in turn, with a short timeout (the
    /// poll thread waits for it).
    /// </summary>
    private void RefreshStatus(bool final = false)
    {
        var now = DateTime.UtcNow;
        if (!final && now < _nextStatus) return;
        _nextStatus = now + StatusInterval;
        var status = new List<PartitionStatus>(_known.Count);
        var paused = final ? null : PausedLaneToQuery();
        foreach (var lane in _known.Values.OrderBy(l => l.Partition))
        {
            try
            {
                var wm = final
                    ? _consumer.QueryWatermarkOffsets(lane.TopicPartition, RequestTimeout)
                    : lane == paused
                        ? _consumer.QueryWatermarkOffsets(lane.TopicPartition, PausedWatermarkTimeout)
                        : _consumer.GetWatermarkOffsets(lane.TopicPartition);
                if (wm.High.Value >= 0) lane.HighWatermark = wm.High.Value;
                if (wm.Low.Value >= 0) lane.LowWatermark = wm.Low.Value;
            }
            catch (KafkaException e)
            {
                _logger.LogDebug(e, "Reading watermarks of {Topic}/{Partition} failed", _topic, lane.Partition);
            }
            var assigned = _lanes.TryGetValue(lane.Partition, out var current) && current == lane;
            status.Add(new PartitionStatus(
                lane.Partition,
                lane.Committed >= 0 ? lane.Committed : null,
                lane.HighWatermark >= 0 ? lane.HighWatermark : null,
                lane.LowWatermark >= 0 ? lane.LowWatermark : null,
                assigned ? lane.InFlight : 0,
                lane.TrackerPeak,
                assigned && (lane.Paused != PauseReasons.None || lane.Draining),
                assigned));
        }
        _status = status;
    }

    /// <summary>The next paused partition (by turn) whose watermarks this refresh asks the brokers for, or null.</summary>
    private PartitionLane? PausedLaneToQuery()
    {
        PartitionLane? first = null, next = null;
        foreach (var lane in _lanes.Values)
        {
            if (lane.Paused == PauseReasons.None) continue;
            if (first is null || lane.Partition < first.Partition) first = lane;
            if (lane.Partition > _pausedWatermarkTurn && (next is null || lane.Partition < next.Partition)) next = lane;
        }
        var chosen = next ?? first;
        _pausedWatermarkTurn = chosen?.Partition ?? -1;
        return chosen;
    }

    private List<PartitionSnapshot> Snapshot()
    {
        var snapshot = new List<PartitionSnapshot>(_lanes.Count);
        foreach (var lane in _lanes.Values.OrderBy(l => l.Partition))
        {
            var wm = _consumer.GetWatermarkOffsets(lane.TopicPartition);
            var high = wm.High.Value >= 0 ? wm.High.Value : lane.HighWatermark;
            var low = wm.Low.Value >= 0 ? wm.Low.Value : lane.LowWatermark;
            // The next record this node hands to the owner: after a pause, the first one it dropped.
            var position = lane.ResumeOffset >= 0 ? lane.ResumeOffset : lane.NextOffset >= 0 ? lane.NextOffset : lane.Committed;
            snapshot.Add(new PartitionSnapshot(
                lane.Partition,
                position >= 0 ? position : null,
                lane.Committed >= 0 ? lane.Committed : null,
                high >= 0 ? high : null,
                low >= 0 ? low : null,
                lane.InFlight,
                lane.Window,
                lane.Paused,
                lane.Draining,
                lane.WatermarkPeak));
        }
        return snapshot;
    }

    public void Dispose()
    {
        if (_thread.IsAlive) StopAsync().Wait(TimeSpan.FromSeconds(30));
        _consumer.Dispose();
        _wake.Dispose();
        _budget.Dispose();
    }

    private sealed record PendingCommit(PartitionLane Lane, long Offset, bool AllDone, List<Action<long>> Waiters);
}
