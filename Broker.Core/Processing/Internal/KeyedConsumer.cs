using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Broker.Sharding.Internal;
using Broker.Telemetry.Internal;
using Confluent.Kafka;
using ShardingPassivate = Akka.Cluster.Sharding.Passivate;

namespace Broker.Processing.Internal;

/// <summary>
/// The keyed consumer: one sharded entity per record key in its partition's shard. It runs the
/// handler for its key's records one at a time, in offset order, and acknowledges them to the partition
/// owner in batches. Each record goes through the consumer's <see cref="RecordPipeline"/> (limits, circuit
/// breaker, deadline, retries); one that cannot be handled goes to the dead-letter topic. Handler failures are
/// logged and counted, never thrown: they cannot stop this actor, its shard or the node. It stays responsive while a handler awaits (the call runs as a task whose
/// completion comes back as a message), so a hand-off or passivation is never stuck behind a handler.
/// Each record's span (when traced) runs from here to its outcome, its dead letter included.
/// </summary>
internal sealed partial class KeyedConsumer : UntypedActor
{
    private readonly ConsumerRuntime _runtime;
    private readonly string _entityId;
    private readonly int _partition; // of the entity id, or -1
    private readonly bool _deadLetterAll;
    private ILoggingAdapter? _logger;
    private readonly Queue<Records> _batches = new();
    private int _next; // index of the next record in the head batch
    private int _done; // records finished since the last report, in the order they were handed over
    private object? _key;
    private int _handled;
    private CancellationToken _stopping;
    private CancellationToken _yielding;
    private bool _yielded; // gave up this generation's remaining records (hand-off): runs none of them
    private readonly CallDeadline _call = new();
    private IActorRef? _owner;
    private OwnerInbox? _inbox;
    private int _generation;
    private bool _busy;
    private bool _passivating;
    private bool _ownerGone;

    // The record in progress (one at a time): its span, if traced, and its dead-letter reason, if any.
    private Activity? _span;
    private string? _deadLetterReason;

    public KeyedConsumer(ConsumerRuntime runtime)
    {
        _runtime = runtime;
        // The shard names each entity's actor after its (URL-escaped) entity id.
        var entityId = Uri.UnescapeDataString(Self.Path.Name);
        _entityId = entityId;
        _partition = runtime.Counters.Zones.PartitionOf(entityId);
        _deadLetterAll = runtime.Settings.NullKeys == Hosting.NullKeyPolicy.DeadLetter && entityId.EndsWith("#n", StringComparison.Ordinal);
    }

    /// <summary>
    /// Props shared by every keyed consumer of a consumer (an entity learns its id from its actor name),
    /// constructing the actor directly: no expression compiling per entity, and entities are many.
    /// </summary>
    public static Props Props(ConsumerRuntime runtime) =>
        Akka.Actor.Props.CreateBy(new Producer(runtime)).WithMailbox("broker.keyed-consumer-mailbox");

    private sealed class Producer(ConsumerRuntime runtime) : IIndirectActorProducer
    {
        public Type ActorType => typeof(KeyedConsumer);
        public ActorBase Produce() => new KeyedConsumer(runtime);
        public void Release(ActorBase actor) { }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Records r:
                if (r.Generation != _generation || _yielded) return; // from an owner generation that no longer exists
                _batches.Enqueue(r);
                if (!_busy) Pump();
                break;
            case StepCompleted c:
                _busy = false;
                StepDone(c);
                if (!_busy) Pump();
                break;
            case Start s:
                Started(s);
                break;
            case Passivate:
                _passivating = true;
                Context.Parent.Tell(new ShardingPassivate(ShardStop.Instance));
                break;
            case ShardStop:
                // A hand-off stops us only after our owner has drained and stopped (we watch it), so no
                // record it handed us is dropped; passivation was asked for by the owner, so we are idle.
                if (_passivating || _owner is null || _ownerGone) Context.Stop(Self);
                break;
            case Terminated t when t.ActorRef.Equals(_owner):
                _ownerGone = true;
                ClearQueue();
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Started(Start start)
    {
        if (_passivating)
        {
            // Our passivation is already under way at the shard; sending the request back through it gets
            // it buffered there and delivered to the next incarnation of this entity.
            Context.Parent.Tell(new ShardEnvelope(EntityIds.ShardOf(_entityId), _entityId, start), Sender);
            return;
        }
        if (!start.Owner.Equals(_owner))
        {
            if (_owner is not null) Context.Unwatch(_owner);
            _owner = start.Owner;
            _ownerGone = false;
            Context.Watch(_owner);
        }
        if (start.Generation != _generation)
        {
            ClearQueue();
            _done = 0;
            _generation = start.Generation;
            _stopping = start.Stopping;
            _yielding = start.Yielding;
            _yielded = false;
            _call.Bind(start.Stopping);
            _inbox = start.Inbox;
            _key = start.Key;
        }
        _owner.Tell(new PartitionOwner.KeyStarted(_entityId, _generation));
    }

    /// <summary>Runs queued records until one needs to wait; records finished synchronously cost no message.</summary>
    private void Pump()
    {
        while (_batches.TryPeek(out var batch))
        {
            var record = batch[_next++];
            if (_next == batch.Count)
            {
                _batches.Dequeue();
                _next = 0;
            }
            _span = _runtime.Tracing.Start(record);
            if (_deadLetterAll) Run(record, Step.DeadLetter, new RecordOutcome(RecordOutcomeKind.DeadLetter, 0, "missing-key", null));
            else Run(record, Step.Handler, default);
            if (_busy) break;
        }
        FlushAcks();
    }

    private void ClearQueue()
    {
        _batches.Clear();
        _next = 0;
    }

    private void Run(ConsumeResult<byte[], byte[]> record, Step step, RecordOutcome outcome)
    {
        if (step == Step.Handler)
        {
            var processing = _runtime.Pipeline.ProcessAsync(record, _call, _span, _stopping, _yielding);
            if (processing.IsCompletedSuccessfully)
            {
                Completed(record, _generation, processing.Result);
                return;
            }
            Await(record, step, processing.AsTask());
            return;
        }
        _deadLetterReason = outcome.Reason;
        if (_span is not null) RecordTracing.DeadLettering(_span, outcome);
        var writing = _runtime.DeadLetters.PublishAsync(record, _runtime.DeadLetterTopic, outcome.Reason!, outcome.Error,
            outcome.Attempts, _span?.Context, _stopping);
        if (writing.IsCompleted) DeadLettered(record, _generation, writing);
        else Await(record, step, writing);
    }

    /// <summary>Frees the actor while <paramref name="task"/> runs; its completion comes back as a message.</summary>
    private void Await(ConsumeResult<byte[], byte[]> record, Step step, Task task)
    {
        _busy = true;
        FlushAcks();
        var self = Self;
        var generation = _generation;
        task.ContinueWith(
            t => self.Tell(new StepCompleted(record, generation, step, t)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void StepDone(StepCompleted c)
    {
        if (c.Step == Step.Handler) Completed(c.Record, c.Generation, ((Task<RecordOutcome>)c.Task).Result);
        else DeadLettered(c.Record, c.Generation, c.Task);
    }

    private void Completed(ConsumeResult<byte[], byte[]> record, int generation, RecordOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case RecordOutcomeKind.Handled:
                _handled++;
                if (generation == _generation) _done++;
                if (_span is not null) RecordTracing.Handled(_span, outcome.Attempts);
                _span = null;
                break;
            case RecordOutcomeKind.DeadLetter:
                if (_runtime.DeadLetterWarnings.ShouldWarn(out var quiet))
                    Log.Warning("Dead-lettering {0}@{1} (key entity {2}) after {3} attempts, reason {4}: {5} ({6} more dead letters of this consumer since the previous warning, logged at Debug)",
                        [record.TopicPartition, record.Offset.Value, _entityId, outcome.Attempts, outcome.Reason, outcome.Error?.Message ?? "", quiet]);
                else if (Log.IsDebugEnabled)
                    Log.Debug("Dead-lettering {0}@{1} (key entity {2}) after {3} attempts, reason {4}: {5}",
                        record.TopicPartition, record.Offset.Value, _entityId, outcome.Attempts, outcome.Reason, outcome.Error?.Message ?? "");
                Run(record, Step.DeadLetter, outcome);
                break;
            case RecordOutcomeKind.Stopped:
                // Cut short because the partition stopped here (drain timeout, shutdown): not done, not
                // failed. It stays uncommitted and is handled again by the partition's next owner.
                EndStopped();
                break;
            case RecordOutcomeKind.Yielded:
                // The partition is handing off and this record was waiting (breaker open, or backoff): it and the
                // key's later records are left to the next owner, so none of them may run here (per-key order).
                EndStopped();
                if (generation != _generation) break;
                ClearQueue();
                _yielded = true;
                FlushAcks(); // the records done before it first, then the owner learns the rest are given up
                _owner?.Tell(new PartitionOwner.KeyYielded(_key!, _generation));
                break;
        }
    }

    private void DeadLettered(ConsumeResult<byte[], byte[]> record, int generation, Task writing)
    {
        if (!writing.IsCompletedSuccessfully)
        {
            // Only cancellation (this entity stopping) ends the dead-letter retries: the record stays
            // un-acked and is read again from the last commit by whoever owns the partition next.
            Log.Warning("Dead letter for {0}/{1}@{2} not written before stop", record.Topic, record.Partition.Value, record.Offset.Value);
            EndStopped();
            return;
        }
        _runtime.Counters.DeadLettered(_deadLetterReason);
        if (_span is not null) RecordTracing.End(_span);
        _span = null;
        if (generation == _generation) _done++;
    }

    private void FlushAcks()
    {
        if (_handled > 0)
        {
            _runtime.Counters.Handled(_handled, _partition); // once per batch: the totals are shared by every key
            _handled = 0;
        }
        if (_done == 0 || _owner is null) return;
        _inbox!.Post(_owner, _key!, _generation, _done);
        _done = 0;
    }

    private void EndStopped()
    {
        if (_span is not null) RecordTracing.Stopped(_span);
        _span = null;
    }

    /// <summary>A record cut short by this entity stopping still ends its span; the entity leaves its partition's stopping token.</summary>
    protected override void PostStop()
    {
        EndStopped();
        _call.Dispose();
    }

    /// <summary>Created on first use: most keyed consumers never log, and there can be millions of them.</summary>
    private ILoggingAdapter Log => _logger ??= Context.GetLogger();
}
