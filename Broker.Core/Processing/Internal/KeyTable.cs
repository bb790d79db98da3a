namespace Broker.Processing.Internal;

/// <summary>
/// The keys a partition owner has live, by key bytes (compared by content), in least-recently-used order,
/// so idle keyed consumers can be passivated oldest first without scanning them all. Not thread-safe.
/// </summary>
/// <remarks>
/// A key used again within <c>relinkAfterMs</c> of the time it was last moved to the newest end stays where it is
/// (and keeps that time): moving it touches its two neighbours, cold memory with many keys, for every record. So a
/// busy key's time of last use lags by at most <c>relinkAfterMs</c>, and it may passivate that much early.
/// </remarks>
internal sealed class KeyTable(long relinkAfterMs = 0)
{
    private readonly Dictionary<byte[], KeyState> _byKey = new(KeyBytesComparer.Instance);
    private KeyState? _nullKey;
    private KeyState? _oldest;
    private KeyState? _newest;

    public int Count { get; private set; }

    /// <summary>The state of <paramref name="key"/> (created if new), made the most recently used (see the remarks).</summary>
    public KeyState Touch(byte[]? key, long now, out bool created)
    {
        KeyState? state = key is null ? _nullKey : _byKey.GetValueOrDefault(key);
        created = state is null;
        if (state is null)
        {
            state = new KeyState(key);
            if (key is null) _nullKey = state;
            else _byKey.Add(key, state);
            Count++;
        }
        else if (state == _newest)
        {
            state.LastUsed = now;
            return state;
        }
        else if (now - state.LastUsed < relinkAfterMs)
        {
            return state;
        }
        else
        {
            Unlink(state);
        }
        state.LastUsed = now;
        state.Older = _newest;
        state.Newer = null;
        if (_newest is not null) _newest.Newer = state;
        _newest = state;
        _oldest ??= state;
        return state;
    }

    public void Remove(KeyState state)
    {
        if (state.Key is null)
        {
            if (_nullKey != state) return;
            _nullKey = null;
        }
        else if (!_byKey.Remove(state.Key))
        {
            return;
        }
        Unlink(state);
        Count--;
    }

    /// <summary>The least recently used idle key among the <paramref name="scan"/> oldest, or null.</summary>
    public KeyState? OldestIdle(int scan)
    {
        for (var s = _oldest; s is not null && scan-- > 0; s = s.Newer)
            if (s.IsIdle) return s;
        return null;
    }

    /// <summary>Idle keys last used at or before <paramref name="usedBefore"/>, oldest first.</summary>
    public List<KeyState> IdleSince(long usedBefore)
    {
        var idle = new List<KeyState>();
        for (var s = _oldest; s is not null && s.LastUsed <= usedBefore; s = s.Newer)
            if (s.IsIdle) idle.Add(s);
        return idle;
    }

    public void Clear()
    {
        _byKey.Clear();
        _nullKey = null;
        _oldest = _newest = null;
        Count = 0;
    }

    private void Unlink(KeyState state)
    {
        if (state.Older is not null) state.Older.Newer = state.Newer;
        else _oldest = state.Newer;
        if (state.Newer is not null) state.Newer.Older = state.Older;
        else _newest = state.Older;
        state.Older = state.Newer = null;
    }
}
