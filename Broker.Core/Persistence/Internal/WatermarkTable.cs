using Broker.Processing.Internal;

namespace Broker.Persistence.Internal;

/// <summary>
/// A partition owner's per-key watermarks: which records of a key were already finished (by this or an
/// earlier owner of the partition), and which watermarks advanced since they were last persisted. Only
/// keys whose watermark is at or above the partition's committed offset are kept: below it the commit
/// already says the records are done. Not thread-safe: one partition owner uses it.
/// </summary>
/// <remarks>
/// Each watermark is an <see cref="Entry"/> that a caller may keep (a partition owner keeps its key's in the key's
/// state), so advancing the watermark of a key that finishes record after record looks its key bytes up once per
/// commit interval rather than once per record: a prune detaches the entries it removes, and the next advance of a
/// detached entry adds a new one.
/// </remarks>
internal sealed class WatermarkTable
{
    private readonly Dictionary<byte[], Entry> _byKey = new(KeyBytesComparer.Instance);
    private readonly List<Entry> _dirty = new();
    private Entry? _nullKey;
    // The highest offset any watermark ever held (not lowered by a prune): a record above it cannot be covered,
    // which is every record once the partition is past what was redelivered, so those skip the lookup.
    private long _highest = -1;

    /// <summary>Keys with a watermark (the null key included).</summary>
    public int Count => _byKey.Count + (_nullKey is not null ? 1 : 0);

    /// <summary>True when some watermark advanced since the last <see cref="TakeDirty"/>.</summary>
    public bool HasDirty { get; private set; }

    /// <summary>Replaces the table's content with recovered watermarks; nothing is dirty afterwards.</summary>
    public void Load(IEnumerable<Watermark> watermarks)
    {
        foreach (var entry in _byKey.Values) entry.Detached = true;
        if (_nullKey is not null) _nullKey.Detached = true;
        _byKey.Clear();
        _nullKey = null;
        _dirty.Clear();
        HasDirty = false;
        _highest = -1;
        foreach (var w in watermarks) Raise(w.Key, w.Offset);
    }

    /// <summary>
    /// The key's watermark is at least <paramref name="offset"/>, as already stored: not dirty (for a table that mirrors
    /// what is persisted, as the store's does).
    /// </summary>
    public void Raise(byte[]? key, long offset)
    {
        var entry = Attach(key);
        if (offset > entry.Offset) entry.Offset = offset;
        if (offset > _highest) _highest = offset;
    }

    /// <summary>True when the record at <paramref name="offset"/> of <paramref name="key"/> was already finished.</summary>
    public bool Covers(byte[]? key, long offset)
    {
        if (offset > _highest) return false;
        var entry = key is null ? _nullKey : _byKey.GetValueOrDefault(key);
        return entry is not null && offset <= entry.Offset;
    }

    /// <summary>The key finished every record up to <paramref name="offset"/>.</summary>
    public void Advance(byte[]? key, long offset)
    {
        Entry? entry = null;
        Advance(ref entry, key, offset);
    }

    /// <summary>
    /// The key finished every record up to <paramref name="offset"/>; <paramref name="entry"/> is the key's entry
    /// from an earlier call (or null), and is set to the one that holds the watermark now.
    /// </summary>
    public void Advance(ref Entry? entry, byte[]? key, long offset)
    {
        if (entry is null || entry.Detached) entry = Attach(key);
        if (offset > _highest) _highest = offset;
        if (offset <= entry.Offset) return;
        entry.Offset = offset;
        HasDirty = true;
        if (entry.Dirty) return;
        entry.Dirty = true;
        _dirty.Add(entry);
    }

    /// <summary>The watermarks that advanced since the last call; they are no longer dirty.</summary>
    public Watermark[] TakeDirty()
    {
        var taken = new Watermark[_dirty.Count];
        var n = 0;
        foreach (var entry in _dirty)
        {
            if (entry.Detached || !entry.Dirty) continue; // pruned meanwhile
            entry.Dirty = false;
            taken[n++] = new Watermark(entry.Key, entry.Offset);
        }
        _dirty.Clear();
        HasDirty = false;
        if (n < taken.Length) Array.Resize(ref taken, n);
        return taken;
    }

    /// <summary>Every watermark now.</summary>
    public Watermark[] All()
    {
        var all = new Watermark[Count];
        var i = 0;
        foreach (var entry in _byKey.Values) all[i++] = new Watermark(entry.Key, entry.Offset);
        if (_nullKey is not null) all[i] = new Watermark(null, _nullKey.Offset);
        return all;
    }

    /// <summary>
    /// Forgets watermarks below <paramref name="committed"/> (Kafka's next offset to read): records there are
    /// never delivered again, so those watermarks can no longer skip anything.
    /// </summary>
    public void Prune(long committed)
    {
        if (_nullKey is not null && _nullKey.Offset < committed)
        {
            _nullKey.Detached = true;
            _nullKey = null;
        }
        foreach (var (key, entry) in _byKey)
        {
            if (entry.Offset >= committed) continue;
            _byKey.Remove(key); // allowed while enumerating: removing never moves the other entries
            entry.Detached = true;
        }
        // The list loses the entries the prune detached: a table whose dirty watermarks are never taken would
        // otherwise list every key it ever pruned.
        _dirty.RemoveAll(static e => e.Detached || !e.Dirty);
        HasDirty = _dirty.Count > 0;
    }

    /// <summary>Entries listed as dirty (for tests: bounded by the keys in the table).</summary>
    internal int DirtyListed => _dirty.Count;

    private Entry Attach(byte[]? key)
    {
        if (key is null) return _nullKey ??= new Entry(null);
        if (!_byKey.TryGetValue(key, out var entry)) _byKey.Add(key, entry = new Entry(key));
        return entry;
    }

    /// <summary>One key's watermark: the highest offset up to which the key finished every record (-1: none yet).</summary>
    internal sealed class Entry(byte[]? key)
    {
        public byte[]? Key { get; } = key;
        public long Offset = -1;

        /// <summary>Advanced since the last <see cref="TakeDirty"/>.</summary>
        public bool Dirty;

        /// <summary>Pruned (or the table reloaded): no longer the key's entry in the table.</summary>
        public bool Detached;
    }
}
