using System.Numerics;
using System.Runtime.InteropServices;

namespace Broker.Telemetry.Internal;

/// <summary>
/// Running totals of handler calls and their summed duration (<see cref="System.Diagnostics.Stopwatch"/>
/// ticks), added to from every keyed consumer's thread at once. Each processor adds to a slot of its own,
/// a cache line apart, so concurrent calls do not contend on one counter; a read sums the slots (the two
/// sums may be a call apart from each other, which a mean over a reporting interval does not notice).
/// </summary>
internal sealed class CallTotals
{
    private readonly Slot[] _slots;
    private readonly int _mask;

    public CallTotals()
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 64));
        _slots = new Slot[slots];
        _mask = slots - 1;
    }

    /// <summary>One call that took <paramref name="ticks"/> Stopwatch ticks.</summary>
    public void Add(long ticks)
    {
        ref var slot = ref _slots[Thread.GetCurrentProcessorId() & _mask];
        Interlocked.Increment(ref slot.Calls);
        Interlocked.Add(ref slot.Ticks, ticks);
    }

    /// <summary>Calls so far and their summed duration in Stopwatch ticks.</summary>
    public (long Calls, long Ticks) Read()
    {
        long calls = 0, ticks = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            calls += Volatile.Read(ref _slots[i].Calls);
            ticks += Volatile.Read(ref _slots[i].Ticks);
        }
        return (calls, ticks);
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Slot
    {
        [FieldOffset(0)] public long Calls;
        [FieldOffset(8)] public long Ticks;
    }
}
