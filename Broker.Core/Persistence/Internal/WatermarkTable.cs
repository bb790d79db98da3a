using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Broker.Processing.Internal;

namespace Broker.Persistence.Internal;

/// <summary>
/// A partition owner's per-key watermarks: which records of a key were already finished (by this or an
/// earlier owner of the partition), and which watermarks advanced since they were last persisted. Only
/// keys whose watermark is at or above the partition's committed offset are kept: below it the commit
/// already says the records are done. Not thread-safe: one partition owner uses it.
/// </summary>
internal sealed class WatermarkTable
{
    // One lookup per record: the watermark and whether it is dirty live in the same entry; the dirty keys are
    // also listed (a key may be listed twice after a prune; the entry's flag decides).
    private readonly Dictionary<byte[], Entry> _byKey = new(KeyBytesComparer.Instance);
    private readonly List<byte[]> _dirty = new();
    private int _dirtyCount;
    private long _nullKey = -1;
    private bool _nullKeyDirty;
    // The highest offset any watermark ever held (not lowered by a prune): a record above it cannot be covered,
    // which is every record once the partition is past what was redelivered, so those skip the lookup.
    private long _highest = -1;

    /// <summary>Keys with a watermark (the null key included).</summary>
    public int Count => _byKey.Count + (_nullKey >= 0 ? 1 : 0);

    /// <summary>True when some watermark advanced since the last <see cref="TakeDirty"/>.</summary>
    public bool HasDirty => _dirtyCount > 0 || _nullKeyDirty;

    /// <summary>Replaces the table's content with recovered watermarks; nothing is dirty afterwards.</summary>
    public void Load(IEnumerable<Watermark> watermarks)
    {
        _byKey.Clear();
        _dirty.Clear();
        _dirtyCount = 0;
        _nullKey = -1;
        _nullKeyDirty = false;
        _highest = -1;
        foreach (var w in watermarks) Set(w.Key, w.Offset);
    }

    /// <summary>True when the record at <paramref name="offset"/> of <paramref name="key"/> was already finished.</summary>
    public bool Covers(byte[]? key, long offset) =>
        offset <= _highest && (key is null ? offset <= _nullKey : _byKey.TryGetValue(key, out var w) && offset <= w.Offset);

    /// <summary>The key finished every record up to <paramref name="offset"/>.</summary>
    public void Advance(byte[]? key, long offset)
    {
        if (offset > _highest) _highest = offset;
        if (key is null)
        {
            if (offset <= _nullKey) return;
            _nullKey = offset;
            _nullKeyDirty = true;
            return;
        }
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, key, out var exists);
        if (exists && offset <= entry.Offset) return;
        entry.Offset = offset;
        if (entry.Dirty) return;
        entry.Dirty = true;
        _dirty.Add(key);
        _dirtyCount++;
    }

    /// <summary>The watermarks that advanced since the last call; they are no longer dirty.</summary>
    public Watermark[] TakeDirty()
    {
        var taken = new Watermark[_dirtyCount + (_nullKeyDirty ? 1 : 0)];
        var i = 0;
        foreach (var key in _dirty)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_byKey, key);
            if (Unsafe.IsNullRef(ref entry) || !entry.Dirty) continue; // pruned meanwhile, or listed twice
            entry.Dirty = false;
            taken[i++] = new Watermark(key, entry.Offset);
        }
        if (_nullKeyDirty) taken[i] = new Watermark(null, _nullKey);
        _dirty.Clear();
        _dirtyCount = 0;
        _nullKeyDirty = false;
        return taken;
    }

    /// <summary>Every watermark now.</summary>
    public Watermark[] All()
    {
        var all = new Watermark[Count];
        var i = 0;
        foreach (var (key, entry) in _byKey) all[i++] = new Watermark(key, entry.Offset);
        if (_nullKey >= 0) all[i] = new Watermark(null, _nullKey);
        return all;
    }

    /// <summary>
    /// Forgets watermarks below <paramref name="committed"/> (Kafka's next offset to read): records there are
    /// never delivered again, so those watermarks can no longer skip anything.
    /// </summary>
    public void Prune(long committed)
    {
        if (_nullKey >= 0 && _nullKey < committed)
        {
            _nullKey = -1;
            _nullKeyDirty = false;
        }
        foreach (var (key, entry) in _byKey)
        {
            if (entry.Offset >= committed) continue;
            _byKey.Remove(key); // allowed while enumerating: removing never moves the other entries
            if (entry.Dirty) _dirtyCount--;
        }
        if (_dirtyCount == 0) _dirty.Clear();
    }

    private void Set(byte[]? key, long offset)
    {
        if (offset > _highest) _highest = offset;
        if (key is null)
        {
            _nullKey = Math.Max(_nullKey, offset);
            return;
        }
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, key, out var exists);
        if (!exists || offset > entry.Offset) entry.Offset = offset;
    }

    private struct Entry
    {
        public long Offset;
        public bool Dirty;
    }
}
