using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>
/// The process-wide memory guard: watches the managed heap (its size after the latest GC) every 100 ms and
/// trips above <see cref="PauseAboveBytes"/>, which pauses every partition of every consumer on this node,
/// until the heap is back below <see cref="ResumeBelowBytes"/>. Thread-safe; limits can change at run time.
/// </summary>
internal sealed class MemoryGuard : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private long _pauseAbove;
    private long _resumeBelow;
    private long _heap;
    private int _trips;
    private volatile bool _tripped;

    public MemoryGuard(long pauseAboveBytes, long resumeBelowBytes, ILogger logger)
    {
        _logger = logger;
        SetLimits(pauseAboveBytes, resumeBelowBytes);
        _timer = new Timer(_ => Check(), null, TimeSpan.Zero, Interval);
    }

    /// <summary>True while the heap is (or was last seen) above the pause limit and not yet below the resume limit.</summary>
    public bool Tripped => _tripped;

    /// <summary>How many times it tripped since start.</summary>
    public int Trips => Volatile.Read(ref _trips);

    /// <summary>Managed heap size after the latest GC, bytes.</summary>
    public long HeapBytes => Interlocked.Read(ref _heap);

    public long PauseAboveBytes => Interlocked.Read(ref _pauseAbove);

    public long ResumeBelowBytes => Interlocked.Read(ref _resumeBelow);

    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, or resume is above pause.</exception>
    public void SetLimits(long pauseAboveBytes, long resumeBelowBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pauseAboveBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resumeBelowBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resumeBelowBytes, pauseAboveBytes);
        Interlocked.Exchange(ref _pauseAbove, pauseAboveBytes);
        Interlocked.Exchange(ref _resumeBelow, resumeBelowBytes);
        Check();
    }

    private void Check()
    {
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        Interlocked.Exchange(ref _heap, heap);
        if (!_tripped && heap > PauseAboveBytes)
        {
            _tripped = true;
            Interlocked.Increment(ref _trips);
            _logger.LogWarning("Memory guard: managed heap {HeapMiB} MiB is above {LimitMiB} MiB; pausing every partition",
                heap >> 20, PauseAboveBytes >> 20);
        }
        else if (_tripped && heap < ResumeBelowBytes)
        {
            _tripped = false;
            _logger.LogInformation("Memory guard: managed heap {HeapMiB} MiB is below {LimitMiB} MiB; resuming",
                heap >> 20, ResumeBelowBytes >> 20);
        }
    }

    public void Dispose() => _timer.Dispose();
}
