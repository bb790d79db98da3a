namespace Broker.Kafka.Internal;

/// <summary>
/// The records one consumer has accepted on this node and not finished, over all its partitions, against
/// a limit. When the limit is reached the poll loop stops taking records from librdkafka (which then stops
/// fetching once its own bounded queue is full), so a backlog waits in Kafka rather than in managed memory,
/// where records that outlive a few collections make every GC slower. Thread-safe.
/// </summary>
internal sealed class InFlightBudget(int limit) : IDisposable
{
    private readonly ManualResetEventSlim _freed = new(false);
    private int _inFlight;
    private int _waiting;

    public int Limit { get; } = limit;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Take(int records) => Interlocked.Add(ref _inFlight, records);

    public void Return(int records)
    {
        var now = Interlocked.Add(ref _inFlight, -records);
        if (now < Limit && Volatile.Read(ref _waiting) == 1) _freed.Set();
    }

    /// <summary>Poll thread: waits until there is room, at most <paramref name="timeout"/>. True when there is.</summary>
    public bool WaitForRoom(TimeSpan timeout)
    {
        if (InFlight < Limit) return true;
        _freed.Reset();
        Volatile.Write(ref _waiting, 1);
        try
        {
            return InFlight < Limit || (_freed.Wait(timeout) && InFlight < Limit);
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    public void Dispose() => _freed.Dispose();
}
