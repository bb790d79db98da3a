using System.Numerics;

namespace Broker.Kafka.Internal;

/// <summary>
/// Which offsets of one partition may be committed, when records finish in any order.
/// </summary>
/// <remarks>
/// Works only from the offsets it was given, in increasing order, never assuming they are consecutive
/// (compaction, transaction markers and aborted records leave gaps). It keeps just the offsets that are
/// not done yet, so its size follows the in-flight window, not the distance a slow record holds the
/// commit back: <see cref="Committable"/> is the lowest not-done offset, or the last given offset + 1
/// when everything is done. Not thread-safe: one partition owner uses it.
/// </remarks>
internal sealed class OffsetTracker
{
    private long[] _offsets;
    private bool[] _done;
    private long[] _spareOffsets;
    private bool[] _spareDone;
    private int _head;
    private int _count;
    private int _mask; // ring sizes are powers of two, so a slot is (index & _mask): no division per record

    /// <param name="initialCapacity">Starting ring size in records (the in-flight window is a good choice), rounded up to a power of two.</param>
    public OffsetTracker(int initialCapacity = 1024)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, initialCapacity));
        _mask = capacity - 1;
        _offsets = new long[capacity];
        _done = new bool[capacity];
        _spareOffsets = new long[capacity];
        _spareDone = new bool[capacity];
    }

    /// <summary>Records given and not done yet.</summary>
    public int InFlight { get; private set; }

    /// <summary>The highest in-flight count ever seen (for tests and metrics).</summary>
    public int PeakInFlight { get; private set; }

    /// <summary>The last offset given, or -1 before the first.</summary>
    public long LastGiven { get; private set; } = -1;

    /// <summary>Ring slots allocated (grows only if more than this many offsets are ever pending at once).</summary>
    public int Capacity => _offsets.Length;

    /// <summary>
    /// The offset to commit (Kafka's "next offset to read"): every given offset below it is done.
    /// Null before anything was given.
    /// </summary>
    public long? Committable => _count > 0 ? _offsets[_head] : LastGiven >= 0 ? LastGiven + 1 : null;

    /// <summary>Takes <paramref name="offset"/> as in flight. Returns false (and ignores it) unless it is above every offset given so far.</summary>
    public bool Add(long offset)
    {
        if (offset <= LastGiven) return false;
        if (_count == _offsets.Length) Compact();
        var slot = (_head + _count) & _mask;
        _offsets[slot] = offset;
        _done[slot] = false;
        _count++;
        LastGiven = offset;
        InFlight++;
        if (InFlight > PeakInFlight) PeakInFlight = InFlight;
        return true;
    }

    /// <summary>
    /// Marks <paramref name="offset"/> done. Returns false for an offset that is not in flight (never
    /// given, already done, or from before a <see cref="Reset"/>): late and duplicate acks change nothing.
    /// </summary>
    public bool Complete(long offset)
    {
        var index = Find(offset);
        if (index < 0) return false;
        var slot = (_head + index) & _mask;
        if (_done[slot]) return false;
        _done[slot] = true;
        InFlight--;
        while (_count > 0 && _done[_head])
        {
            _head = (_head + 1) & _mask;
            _count--;
        }
        return true;
    }

    /// <summary>Forgets everything (the partition was revoked or re-assigned).</summary>
    public void Reset()
    {
        _head = 0;
        _count = 0;
        InFlight = 0;
        LastGiven = -1;
    }

    private int Find(long offset)
    {
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = _offsets[(_head + mid) & _mask];
            if (value == offset) return mid;
            if (value < offset) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>
    /// Drops done entries from the middle of the ring into the spare buffer and swaps the two; grows both
    /// only when more than half the ring is still pending.
    /// </summary>
    private void Compact()
    {
        var length = _offsets.Length;
        var newLength = InFlight * 2 > length ? length * 2 : length; // stays a power of two
        if (_spareOffsets.Length != newLength) _spareOffsets = new long[newLength];
        if (_spareDone.Length != newLength) _spareDone = new bool[newLength];
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            var slot = (_head + i) & _mask;
            if (_done[slot]) continue;
            _spareOffsets[n] = _offsets[slot];
            _spareDone[n] = false;
            n++;
        }
        (_offsets, _spareOffsets) = (_spareOffsets, _offsets);
        (_done, _spareDone) = (_spareDone, _done);
        _head = 0;
        _count = n;
        _mask = newLength - 1;
    }
}
