namespace Broker.Persistence.Internal;

internal sealed partial class PartitionWatermarks
{
    /// <summary>
    /// To the parent owner once recovered: every stored watermark of the partition, and the highest commit
    /// they were stored with (-1 if none): a group offset below it means the watermarks belong to another
    /// Kafka or the offsets were reset, and must not be used.
    /// </summary>
    public sealed record Recovered(IReadOnlyList<Watermark> Watermarks, long Committed);

    /// <summary>
    /// From the owner: persist these advanced watermarks, with the partition's latest confirmed commit;
    /// answered with <see cref="Persisted"/>.
    /// </summary>
    public sealed record Advance(long Committed, IReadOnlyList<Watermark> Watermarks);

    /// <summary>To the owner: the last <see cref="Advance"/> is stored.</summary>
    public sealed class Persisted
    {
        public static readonly Persisted Instance = new();
        private Persisted() { }
    }

    /// <summary>From the owner: Kafka confirmed the commit of <paramref name="Committed"/>; older watermarks no longer matter.</summary>
    public sealed record Prune(long Committed);

    /// <summary>
    /// On the event stream once watermarks are in the journal: diagnostics can follow exactly what a crash
    /// cannot make run again.
    /// </summary>
    public sealed record WatermarksStored(string PersistenceId, IReadOnlyList<Watermark> Watermarks);
}
