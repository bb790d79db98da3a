using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace Broker.Persistence.Internal;

/// <summary>
/// The persistent half of a partition's idempotency watermarks: a child of the partition owner (so exactly
/// one per partition in the cluster, wherever its shard runs) that journals the watermarks the owner reports
/// as they advance, and hands all of them back when it starts on any node. Every
/// <c>SnapshotEvery</c> events it snapshots what still matters and deletes the journal before, so the
/// stored data stays bounded by the keys above the committed offset.
/// </summary>
internal sealed partial class PartitionWatermarks : UntypedPersistentActor
{
    /// <summary>Akka.Persistence plugin id of Broker's journal (Akka.Persistence.Sql, identifier <c>broker</c>).</summary>
    public const string JournalPlugin = "akka.persistence.journal.broker";

    /// <summary>Akka.Persistence plugin id of Broker's snapshot store.</summary>
    public const string SnapshotPlugin = "akka.persistence.snapshot-store.broker";

    private const int SnapshotEvery = 200;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WatermarkTable _table = new();
    private int _sinceSnapshot;
    private long _committed = -1;

    public PartitionWatermarks(string persistenceId)
    {
        PersistenceId = persistenceId;
        JournalPluginId = JournalPlugin;
        SnapshotPluginId = SnapshotPlugin;
    }

    public override string PersistenceId { get; }

    /// <summary><c>broker/watermarks/{group}/{topic}/{partition}</c>: groups sharing a database never mix.</summary>
    public static string PersistenceIdOf(string groupId, string topic, int partition) =>
        $"broker/watermarks/{groupId}/{topic}/{partition}";

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new PartitionWatermarks(persistenceId));

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: WatermarkSnapshot snapshot }:
                _table.Load(snapshot.Watermarks);
                _committed = snapshot.Committed;
                break;
            case WatermarksAdvanced advanced:
                Apply(advanced);
                break;
            case RecoveryCompleted:
                _table.Prune(_committed);
                Context.Parent.Tell(new Recovered(_table.All(), _committed));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Advance advance:
                Persist(new WatermarksAdvanced(advance.Committed, advance.Watermarks), e =>
                {
                    Apply(e);
                    Context.Parent.Tell(Persisted.Instance);
                    Context.System.EventStream.Publish(new WatermarksStored(PersistenceId, e.Watermarks));
                    if (++_sinceSnapshot >= SnapshotEvery)
                    {
                        _sinceSnapshot = 0;
                        _table.Prune(_committed);
                        SaveSnapshot(new WatermarkSnapshot(_committed, _table.All()));
                    }
                });
                break;
            case Prune prune:
                _committed = Math.Max(_committed, prune.Committed);
                _table.Prune(_committed);
                break;
            case SaveSnapshotSuccess success:
                DeleteMessages(success.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failure:
                _log.Warning("Snapshot of {0} failed (the journal keeps growing until one succeeds): {1}", PersistenceId, failure.Cause.Message);
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            case DeleteMessagesFailure or DeleteSnapshotsFailure:
                _log.Warning("Deleting old watermark events of {0} failed; the next snapshot tries again", PersistenceId);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Apply(WatermarksAdvanced advanced)
    {
        _committed = Math.Max(_committed, advanced.Committed);
        foreach (var w in advanced.Watermarks) _table.Raise(w.Key, w.Offset);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason, "Recovering watermarks {0} failed", PersistenceId);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Persisting watermarks {0} failed", PersistenceId);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
