using System.Collections.Concurrent;

namespace Broker.Tests.Support;

/// <summary>Every record the test handlers handled, across nodes; lets a test wait for a condition without sleeping.</summary>
public sealed class RecordLog
{
    private readonly ConcurrentQueue<HandledRecord> _records = new();
    private readonly object _gate = new();
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<HandledRecord> Records => _records.ToArray();

    public int Count => _records.Count;

    public void Add(HandledRecord record)
    {
        _records.Enqueue(record);
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the records, re-checking on every new record.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilAsync(Func<IReadOnlyList<HandledRecord>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (condition(Records)) return;
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what} (handled so far: {Count}).");
            }
        }
    }

    public Task WaitForCountAsync(int count, TimeSpan timeout) =>
        WaitUntilAsync(r => r.Count >= count, timeout, $"{count} records handled");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
