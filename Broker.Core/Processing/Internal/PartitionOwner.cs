using Akka.Actor;
using Akka.Event;
using Broker.Kafka.Internal;
using Broker.Persistence.Internal;
using Broker.Sharding.Internal;
using Confluent.Kafka;

namespace Broker.Processing.Internal;

/// <summary>
/// The owner of one topic-partition: the entity <c>topic/partition#owner</c> of the partition's shard,
/// so it lives on the node that hosts the shard, and that node's Kafka consumer fetches the partition
/// for it. It routes each record to the keyed consumer of the record's key (an entity of the same shard),
/// at most <c>MaxInFlightPerKey</c> at a time per key, tracks completions in any order, commits the
/// highest offset below which all is done, passivates idle keyed consumers, and on hand-off or shutdown
/// stops fetching, drains, commits and only then stops. With watermarks on, it first recovers the
/// partition's per-key watermarks (<see cref="PartitionWatermarks"/>), skips redelivered records its keys
/// already finished, and persists watermarks as they advance.
/// </summary>
internal sealed partial class PartitionOwner : UntypedActor, IWithTimers
{
    private static int _generations;
    private static readonly TimeSpan WatermarkStoreRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FinalFlushTimeoutAfter = TimeSpan.FromSeconds(5);

    private readonly ConsumerRuntime _runtime;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly OffsetTracker _tracker;
    private readonly KeyTable _keys;
    private readonly Dictionary<IActorRef, KeyState> _byRef = new();
    private readonly Dictionary<string, KeyState> _starting = new(StringComparer.Ordinal);
    private readonly List<KeyState> _touched = new();
    private readonly List<List<ConsumeResult<byte[], byte[]>>> _taken = new();
    private readonly OwnerInbox _inbox = new();
    private readonly List<OwnerInbox.Completion> _completions = new();
    private readonly List<IActorRef> _drainWaiters = new();

    private string _shardId = "";
    private string _topic = "";
    private int _partition = -1;
    private int _generation;
    private PartitionLane? _lane;
    private CancellationTokenSource _generationStopping = new();
    private CancellationTokenSource _generationYielding = new();
    private int _yielded; // in-flight records whose keyed consumers gave them up to the next owner
    private Phase _phase = Phase.Idle;
    private long _lastCommitRequested = -1;
    private bool _fetchStopped;
    private bool _finalCommitRequested;
    private bool _stopWhenDrained;
    private bool _drainTimedOut;
    private long? _drainCommitted;

    // Idempotency watermarks (null when off); the store is this owner's child.
    private readonly WatermarkTable? _watermarks;
    private IActorRef? _watermarkStore;
    private bool _persisting;
    private bool _finalFlush;
    private int _heldReleases;
    private long _confirmedCommit = -1;
    private long _recoveredCommit = -1;
    private bool _watermarksChecked;
    private bool _finalCommitUnsaved;
    private bool _resendAll;

    public PartitionOwner(ConsumerRuntime runtime)
    {
        _runtime = runtime;
        _tracker = new OffsetTracker(runtime.Settings.MaxInFlightPerPartition);
        // Passivation may come up to a twentieth of the idle time early, at most a second (KeyTable).
        _keys = new KeyTable(Math.Min(1000, (long)runtime.Settings.PassivateIdleAfter.TotalMilliseconds / 20));
        if (runtime.Settings.Watermarks) _watermarks = new WatermarkTable();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ConsumerRuntime runtime) =>
        Akka.Actor.Props.CreateBy(new Producer(runtime)).WithMailbox("broker.partition-owner-mailbox");

    private sealed class Producer(ConsumerRuntime runtime) : IIndirectActorProducer
    {
        public Type ActorType => typeof(PartitionOwner);
        public ActorBase Produce() => new PartitionOwner(runtime);
        public void Release(ActorBase actor) { }
    }

    private enum Phase { Idle, Recovering, Running, Draining, Drained }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RecordsAvailable r:
                if (r.Generation == _generation && _phase is Phase.Running or Phase.Draining) TakeRecords();
                break;
            case CompletionsAvailable:
                TakeCompletions();
                break;
            case KeyStarted s:
                KeyReady(s);
                break;
            case KeyYielded y:
                if (y.Generation == _generation && y.Key is KeyState yielded) KeyGaveUp(yielded);
                break;
            case Ensure e:
                if (_phase == Phase.Idle && !_runtime.Stopping) Start(e.Topic, e.Partition);
                break;
            case CommitTick:
                CommitIfAdvanced();
                break;
            case PassivationTick:
                PassivateIdleKeys();
                break;
            case Terminated t when t.ActorRef.Equals(_watermarkStore):
                WatermarkStoreStopped();
                break;
            case Terminated t:
                KeyTerminated(t.ActorRef);
                break;
            case Drain:
                _drainWaiters.Add(Sender);
                BeginDrain();
                break;
            case ShardStop:
                _stopWhenDrained = true;
                BeginDrain();
                break;
            case FetchStopped f when f.Generation == _generation:
                _fetchStopped = true;
                TryFinishDrain();
                break;
            case DrainTimeout:
                DrainTimedOut();
                break;
            case FinalFlushTimeout:
                if (_finalFlush)
                {
                    _log.Warning("Watermarks of {0} not confirmed within {1} s of the final commit; their store stops without them (records finished above that commit may run again on the next owner)",
                        _shardId, FinalFlushTimeoutAfter.TotalSeconds);
                    CompleteDrain();
                }
                break;
            case CommitConfirmed c when c.Generation == _generation:
                if (_phase == Phase.Draining && _finalCommitRequested) FinishDrain(c.Offset);
                break;
            case OffsetCommitted c when c.Generation == _generation:
                Committed(c.Offset);
                break;
            case PartitionWatermarks.Recovered r:
                if (_phase == Phase.Recovering) Run(r.Watermarks, r.Committed);
                break;
            case PartitionWatermarks.Persisted:
                _persisting = false;
                if (_finalFlush) FlushWatermarks();
                break;
            case WatermarkFlushTick:
                FlushWatermarks();
                break;
            case WatermarkStoreRetry:
                StartWatermarkStore();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Start(string topic, int partition)
    {
        _topic = topic;
        _partition = partition;
        _shardId = EntityIds.Shard(topic, partition);
        if (_watermarks is null)
        {
            Run([], -1);
            return;
        }
        // Fetching starts once the watermarks are back: a record they cover must be skipped, not run.
        _phase = Phase.Recovering;
        StartWatermarkStore();
    }

    private void Run(IReadOnlyList<Watermark> recovered, long recoveredCommit)
    {
        if (_watermarks is not null)
        {
            _watermarks.Load(recovered);
            _recoveredCommit = recoveredCommit;
            if (recovered.Count > 0) _log.Info("Recovered {0} key watermarks of {1}", recovered.Count, _shardId);
            var flush = _runtime.Settings.WatermarkFlushInterval;
            Timers.StartPeriodicTimer(nameof(WatermarkFlushTick), WatermarkFlushTick.Instance, UntilNextMultipleOf(flush), flush);
        }
        Assign();
        var settings = _runtime.Settings;
        Timers.StartPeriodicTimer(nameof(CommitTick), CommitTick.Instance, settings.CommitInterval);
        var sweep = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, settings.PassivateIdleAfter.Ticks / 2));
        Timers.StartPeriodicTimer(nameof(PassivationTick), PassivationTick.Instance, sweep);
        _phase = Phase.Running;
    }

    /// <summary>
    /// The time to the next multiple of <paramref name="interval"/> on the process's clock. Every owner of the
    /// node flushes its watermarks on that beat, so their journal writes arrive together and Akka.Persistence.Sql
    /// batches them into a few transactions instead of one per partition.
    /// </summary>
    private static TimeSpan UntilNextMultipleOf(TimeSpan interval)
    {
        var ms = Math.Max(1, (long)interval.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms - Environment.TickCount64 % ms);
    }

    private void Assign()
    {
        _generation = Interlocked.Increment(ref _generations);
        _lane?.Retire();
        _generationStopping.Cancel();
        _generationStopping = new CancellationTokenSource();
        _generationYielding = new CancellationTokenSource();
        if (_phase == Phase.Draining && _watermarks is not null) _generationYielding.Cancel();
        _yielded = 0;
        _tracker.Reset();
        _lastCommitRequested = -1;
        _lane = _runtime.Consumer.Assign(_partition, Self, _generation);
    }

    private void TakeRecords()
    {
        if (!_watermarksChecked) CheckWatermarks();
        _lane!.TakeAll(_taken);
        var now = Environment.TickCount64;
        foreach (var records in _taken) Accept(records, now);
        _taken.Clear();
        _lane.TrackerPeak = _tracker.PeakInFlight;
        foreach (var state in _touched) Dispatch(state);
        _touched.Clear();
    }

    private void Accept(List<ConsumeResult<byte[], byte[]>> records, long now)
    {
        foreach (var record in records)
        {
            if (!_tracker.Add(record.Offset.Value))
            {
                _log.Warning("Ignoring {0}/{1}@{2}: at or below an offset already accepted", _topic, _partition, record.Offset.Value);
                _lane!.Release(1);
                continue;
            }
            if (_watermarks is not null && _watermarks.Covers(record.Message.Key, record.Offset.Value))
            {
                // Finished before (by this node or the partition's previous owner): acknowledge, do not run.
                _tracker.Complete(record.Offset.Value);
                _runtime.Counters.Skipped(1);
                Release(1);
                continue;
            }
            var state = _keys.Touch(record.Message.Key, now, out var created);
            if (created) KeyCreated();
            if (state.Waiting is null)
            {
                if (state.Spare is { } spare)
                {
                    state.Spare = null;
                    spare.Refill(_generation, record);
                    state.Waiting = spare;
                }
                else
                {
                    state.Waiting = new KeyedConsumer.Records(_generation, record);
                }
                _touched.Add(state);
            }
            else
            {
                state.Waiting.Add(record);
            }
            if (state.Yielded) _yielded++;
        }
    }

    /// <summary>
    /// Hands the key's pending records to its keyed consumer (starting it first if needed) as one batch, up
    /// to the per-key window, but only once it has finished the previous batch: it would run them after
    /// that batch anyway, and meanwhile more records of the key join the next batch, so a busy pipeline
    /// sends fewer, larger messages.
    /// </summary>
    private void Dispatch(KeyState state)
    {
        if (state.Ref is null)
        {
            if (!state.Starting) StartKey(state);
            return;
        }
        if (state.InFlight > 0 || state.Waiting is not { } waiting) return;
        var window = _runtime.Settings.MaxInFlightPerKey;
        KeyedConsumer.Records batch;
        if (waiting.Count <= window)
        {
            batch = waiting;
            state.Waiting = null;
        }
        else
        {
            batch = waiting.TakeFirst(window);
        }
        state.InFlight = batch.Count;
        state.Outstanding = batch;
        state.OutstandingDone = 0;
        state.Ref.Tell(batch);
    }

    /// <summary>
    /// Starts the key's entity through this shard (our parent), which creates it as its child. Records then
    /// go to it directly, so a hand-off (when the shard stops routing) can never drop one in between.
    /// </summary>
    private void StartKey(KeyState state)
    {
        state.Starting = true;
        state.EntityId ??= EntityIds.ForKey(_shardId, state.Key);
        _starting[state.EntityId] = state;
        Context.Parent.Tell(new ShardEnvelope(_shardId, state.EntityId,
            new KeyedConsumer.Start(Self, _inbox, state, _generation, _generationStopping.Token, _generationYielding.Token)));
    }

    private void KeyReady(KeyStarted started)
    {
        if (started.Generation != _generation || !_starting.Remove(started.EntityId, out var state)) return;
        state.Starting = false;
        state.Ref = Sender;
        _byRef[Sender] = state;
        Context.Watch(Sender);
        Dispatch(state);
    }

    /// <summary>
    /// The key's keyed consumer gave up its remaining records (the partition is draining and they were waiting
    /// on the breaker or for a retry): they stay in flight, uncommitted, and the drain no longer waits for them.
    /// Its done records were reported before, so they are taken first.
    /// </summary>
    private void KeyGaveUp(KeyState state)
    {
        TakeCompletions();
        if (state.Yielded) return;
        state.Yielded = true;
        _yielded += state.InFlight + (state.Waiting?.Count ?? 0);
        TryFinishDrain();
    }

    private void TakeCompletions()
    {
        _inbox.TakeAll(_completions);
        var done = 0;
        foreach (var c in _completions)
            if (c.Generation == _generation && c.Key is KeyState state) done += Acked(state, c.Records);
        _completions.Clear();
        // Once per burst of reports, not per key: releasing takes the lane's lock.
        if (done > 0) Release(done);
        if (_watermarks is not null && _lane is not null && _watermarks.Count > _lane.WatermarkPeak) _lane.WatermarkPeak = _watermarks.Count;
        if (_phase == Phase.Draining) TryFinishDrain();
    }

    /// <summary>The key's keyed consumer finished its next <paramref name="records"/> records; returns how many of them were in flight.</summary>
    private int Acked(KeyState state, int records)
    {
        if (state.Outstanding is not { } batch) return 0; // forgotten meanwhile (passivated or reassigned)
        var done = 0;
        var end = Math.Min(batch.Count, state.OutstandingDone + records);
        for (var i = state.OutstandingDone; i < end; i++)
            if (_tracker.Complete(batch[i].Offset.Value)) done++;
        if (end > state.OutstandingDone && _watermarks is not null) _watermarks.Advance(ref state.Watermark, state.Key, batch[end - 1].Offset.Value);
        state.InFlight -= end - state.OutstandingDone;
        state.OutstandingDone = end;
        if (end == batch.Count)
        {
            // The keyed consumer took the batch's last record before reporting it: nobody holds the batch now.
            state.Outstanding = null;
            batch.Empty();
            state.Spare = batch;
        }
        if (state.Waiting is not null && state.InFlight == 0) Dispatch(state);
        else if (state.IsIdle) EnforceLiveKeyCap();
        return done;
    }

    /// <summary>
    /// A keyed consumer stopped. After passivation it is no longer in <see cref="_byRef"/>; stopping with
    /// records in flight means they are lost on this node, so the partition restarts from its last commit.
    /// </summary>
    private void KeyTerminated(IActorRef actor)
    {
        if (!_byRef.Remove(actor, out var state)) return;
        if (state.InFlight == 0 && state.Waiting is null)
        {
            Forget(state);
            return;
        }
        _log.Error("Keyed consumer {0} stopped with {1} records in flight; restarting {2} from its last commit",
            state.EntityId, state.InFlight, _shardId);
        Reassign();
    }

    private void Reassign()
    {
        if (_lane is { } lane && _tracker.Committable is { } committable)
            _runtime.Consumer.Commit(lane, committable, _tracker.InFlight == 0, null);
        foreach (var actor in _byRef.Keys) Context.Unwatch(actor);
        _byRef.Clear();
        ForgetAllKeys();
        _starting.Clear();
        Assign();
    }

    /// <summary>
    /// A new key: count it, and keep within MaxLiveKeys (busy keys stay: their records are in flight, and
    /// in-flight records are bounded by MaxInFlight).
    /// </summary>
    private void KeyCreated()
    {
        _runtime.AddLiveKeys(1);
        EnforceLiveKeyCap();
    }

    /// <summary>
    /// While this consumer has more live keyed consumers on the node than MaxLiveKeys, passivates this
    /// partition's least recently used idle ones. Called when a key is created and when one falls idle.
    /// </summary>
    private void EnforceLiveKeyCap()
    {
        while (_runtime.LiveKeys > _runtime.Settings.MaxLiveKeys && _keys.OldestIdle(scan: 64) is { } victim)
            Passivate(victim);
    }

    private void PassivateIdleKeys()
    {
        var idleSince = Environment.TickCount64 - (long)_runtime.Settings.PassivateIdleAfter.TotalMilliseconds;
        foreach (var state in _keys.IdleSince(idleSince)) Passivate(state);
        EnforceLiveKeyCap();
    }

    /// <summary>Stops an idle key's keyed consumer; a later record of the key starts a new one.</summary>
    private void Passivate(KeyState state)
    {
        var actor = state.Ref!;
        Context.Unwatch(actor);
        _byRef.Remove(actor);
        Forget(state);
        actor.Tell(KeyedConsumer.Passivate.Instance);
    }

    private void Forget(KeyState state)
    {
        _keys.Remove(state);
        _runtime.AddLiveKeys(-1);
    }

    private void ForgetAllKeys()
    {
        _runtime.AddLiveKeys(-_keys.Count);
        _keys.Clear();
    }

    /// <summary>
    /// Reports the committable offset to the poll loop when it advanced, and on every tick while nothing
    /// is in flight (the loop may then commit past transaction markers fetched since; it skips a commit
    /// that would change nothing).
    /// </summary>
    private void CommitIfAdvanced()
    {
        if (_phase != Phase.Running || _lane is null || _tracker.Committable is not { } committable) return;
        var allDone = _tracker.InFlight == 0;
        if (committable <= _lastCommitRequested && !allDone) return;
        _lastCommitRequested = committable;
        _runtime.Consumer.Commit(_lane, committable, allDone, _watermarks is null ? null : CommitCallback());
    }

    /// <summary>A poll-thread callback that tells this owner which offset Kafka confirmed.</summary>
    private Action<long> CommitCallback()
    {
        var self = Self;
        var generation = _generation;
        return offset => self.Tell(new OffsetCommitted(generation, offset));
    }

    /// <summary>
    /// Records done go back to the partition's window, unless the watermark table is full: then they are
    /// held, the window fills and the partition pauses until commits let the table shrink.
    /// </summary>
    private void Release(int records)
    {
        if (_watermarks is not null && _watermarks.Count >= _runtime.Settings.MaxWatermarksPerPartition)
        {
            _heldReleases += records;
            return;
        }
        _lane!.Release(records + _heldReleases);
        _heldReleases = 0;
    }

    /// <summary>Kafka confirmed a commit: watermarks below it no longer matter, here and in the store.</summary>
    private void Committed(long offset)
    {
        if (_watermarks is null) return;
        _confirmedCommit = Math.Max(_confirmedCommit, offset);
        _watermarks.Prune(offset);
        _watermarkStore?.Tell(new PartitionWatermarks.Prune(offset));
        if (_heldReleases > 0 && _watermarks.Count < _runtime.Settings.MaxWatermarksPerPartition && _lane is not null)
        {
            _lane.Release(_heldReleases);
            _heldReleases = 0;
        }
    }

    /// <summary>
    /// Before the first record: recovered watermarks are only valid for the Kafka and the group offsets they
    /// were stored with. A committed offset below the one they last saw means the offsets were reset (to
    /// process again) or this is another Kafka with the same topic name: then they must skip nothing.
    /// </summary>
    private void CheckWatermarks()
    {
        _watermarksChecked = true;
        if (_watermarks is null || _watermarks.Count == 0) return;
        var committed = Math.Max(-1, _lane!.Committed); // -1: nothing committed (Kafka's Offset.Unset is -1001)
        if (committed < _recoveredCommit)
        {
            _log.Warning("Discarding {0} watermarks of {1}: the group's committed offset {2} is below the {3} they were stored with (offsets reset, or another Kafka)",
                _watermarks.Count, _shardId, committed >= 0 ? committed.ToString() : "(none)", _recoveredCommit);
            _watermarks.Load([]);
            return;
        }
        _watermarks.Prune(committed);
    }

    private void StartWatermarkStore()
    {
        var id = PartitionWatermarks.PersistenceIdOf(_runtime.GroupId, _topic, _partition);
        _watermarkStore = Context.Watch(Context.ActorOf(PartitionWatermarks.Props(id), "watermarks"));
    }

    /// <summary>Sends the watermarks that advanced to the store, one batch at a time.</summary>
    private void FlushWatermarks()
    {
        if (_watermarks is null || _persisting || _watermarkStore is null) return;
        var resend = _resendAll && _watermarks.Count > 0;
        if (!_watermarks.HasDirty && !_finalCommitUnsaved && !resend)
        {
            if (_finalFlush) CompleteDrain();
            return;
        }
        var batch = _watermarks.TakeDirty();
        if (resend) batch = _watermarks.All();
        _resendAll = false;
        _finalCommitUnsaved = false;
        _persisting = true;
        _watermarkStore.Tell(new PartitionWatermarks.Advance(_confirmedCommit, batch));
    }

    /// <summary>
    /// The store stopped: its database failed (or refused a write whose sequence number a previous owner's
    /// late write took). Consumption goes on (a crash meanwhile may re-run records finished since the last
    /// commit) and a new store starts after a pause; its first write holds every watermark, since the batch
    /// that failed is in none of the later ones. If it failed recovering, the partition starts without the
    /// old watermarks. Stopped by a drain: the owner is drained now.
    /// </summary>
    private void WatermarkStoreStopped()
    {
        _watermarkStore = null;
        _persisting = false;
        if (_phase == Phase.Drained)
        {
            ReplyDrained(_drainCommitted);
            return;
        }
        _resendAll = true;
        if (_phase == Phase.Recovering)
        {
            _log.Error("Watermarks of {0} could not be recovered; starting without them (records finished since the last commit may run again)", _shardId);
            Run([], -1);
        }
        if (_finalFlush)
        {
            CompleteDrain();
            return;
        }
        if (_phase is Phase.Running or Phase.Draining)
            Timers.StartSingleTimer(nameof(WatermarkStoreRetry), WatermarkStoreRetry.Instance, WatermarkStoreRetryDelay);
    }

    private void BeginDrain()
    {
        switch (_phase)
        {
            case Phase.Idle or Phase.Recovering:
                _phase = Phase.Drained;
                StopWatermarkStoreThenReply();
                return;
            case Phase.Drained:
                // While the store is stopping, its Terminated answers.
                if (_watermarkStore is null) ReplyDrained(_lastCommitRequested >= 0 ? _lastCommitRequested : null);
                return;
            case Phase.Draining:
                return;
        }
        _phase = Phase.Draining;
        // Records waiting on an open breaker (or for a retry) would hold the hand-off until the drain timeout:
        // they were not handled, so they are given up to the next owner. With watermarks only: the records
        // other keys finish after the first one given up are above the final commit, and only their
        // watermarks keep the next owner from running them again.
        if (_watermarks is not null) _generationYielding.Cancel();
        Timers.Cancel(nameof(PassivationTick));
        Timers.StartSingleTimer(nameof(DrainTimeout), DrainTimeout.Instance, _runtime.Settings.DrainTimeout);
        var self = Self;
        var generation = _generation;
        _runtime.Consumer.StopFetching(_lane!, () => self.Tell(new FetchStopped(generation)));
        _log.Info("Draining {0}: {1} records in flight", _shardId, _tracker.InFlight);
    }

    private void TryFinishDrain()
    {
        if (_phase != Phase.Draining || !_fetchStopped || _finalCommitRequested) return;
        if (_tracker.InFlight > _yielded && !_drainTimedOut) return;
        _finalCommitRequested = true;
        if (_tracker.Committable is not { } committable)
        {
            FinishDrain(null);
            return;
        }
        var self = Self;
        var generation = _generation;
        _runtime.Consumer.Commit(_lane!, committable, _tracker.InFlight == 0,
            offset => self.Tell(new CommitConfirmed(generation, offset)));
    }

    private void DrainTimedOut()
    {
        if (_phase != Phase.Draining) return;
        if (_finalCommitRequested)
        {
            _log.Error("Drain of {0}: the final commit was not confirmed in time; stopping anyway", _shardId);
            FinishDrain(null);
            return;
        }
        _log.Warning("Drain of {0} timed out with {1} records still in flight; committing what is done",
            _shardId, _tracker.InFlight);
        _drainTimedOut = true;
        _fetchStopped = true; // stop waiting for the poll thread too: the lane is revoked below either way
        TryFinishDrain();
    }

    /// <summary>
    /// The final commit is done: persist the watermarks still above it (records finished past one that did
    /// not finish in time), then stop.
    /// </summary>
    private void FinishDrain(long? committed)
    {
        _drainCommitted = committed;
        if (committed is { } c) Committed(c);
        // The last commit is saved with the watermarks too, so the next owner can tell them valid.
        if (_watermarks is not null && _watermarkStore is not null && !_finalFlush)
        {
            _finalFlush = true;
            _finalCommitUnsaved = committed is not null;
            Timers.StartSingleTimer(nameof(FinalFlushTimeout), FinalFlushTimeout.Instance, FinalFlushTimeoutAfter);
            FlushWatermarks();
            return;
        }
        CompleteDrain();
    }

    private void CompleteDrain()
    {
        if (_phase == Phase.Drained) return;
        _finalFlush = false;
        var committed = _drainCommitted;
        _phase = Phase.Drained;
        _generationStopping.Cancel(); // handlers still running after a drain timeout are told to stop
        if (committed is { } c) _lastCommitRequested = c;
        Timers.CancelAll();
        _lane!.Retire();
        _runtime.Consumer.Revoke(_lane);
        if (_yielded > 0)
            _log.Info("Drained {0}: committed offset {1}; {2} records waiting on the circuit breaker are left to the next owner",
                _shardId, committed?.ToString() ?? "unchanged", _yielded);
        else
            _log.Info("Drained {0}: committed offset {1}", _shardId, committed?.ToString() ?? "unchanged");
        StopWatermarkStoreThenReply();
    }

    /// <summary>
    /// Drained means the store has stopped, so the partition's next owner is its only writer: the store's last
    /// write was confirmed, or the final flush gave up on it (an insert the journal already has may still land,
    /// but nothing follows it, and the journal's unique sequence numbers keep it from landing beside the next
    /// owner's write of the same number). The reply waits for the store's Terminated, which takes no database
    /// round trip.
    /// </summary>
    private void StopWatermarkStoreThenReply()
    {
        if (_watermarkStore is { } store)
        {
            Context.Stop(store);
            return;
        }
        ReplyDrained(_drainCommitted);
    }

    private void ReplyDrained(long? committed)
    {
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_shardId, committed));
        _drainWaiters.Clear();
        if (_phase == Phase.Drained && _stopWhenDrained) Context.Stop(Self);
    }

    protected override void PostStop()
    {
        // Not disposed: a handler still finishing may register on the token after this.
        _generationStopping.Cancel();
        if (_phase is Phase.Running or Phase.Draining && _lane is not null)
        {
            if (_tracker.Committable is { } committable)
                _runtime.Consumer.Commit(_lane, committable, _tracker.InFlight == 0, null);
            _runtime.Consumer.Revoke(_lane);
        }
        _lane?.Retire();
        ForgetAllKeys();
        base.PostStop();
    }

    /// <summary>After a crash the new instance starts the partition again (from its last commit).</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        base.PreRestart(reason, message);
        if (_partition >= 0) Self.Tell(new Ensure(_topic, _partition));
    }

}
