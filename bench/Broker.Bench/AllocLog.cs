using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Broker.Bench;

/// <summary>
/// Samples this process's allocations by type (the runtime's allocation tick, about one per 100 KB allocated)
/// while it lives, and prints the types that took the most when disposed. For finding per-record allocations.
/// </summary>
internal sealed class AllocLog : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private long _total;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not "GCAllocationTick_V4" || e.Payload is not { } p || e.PayloadNames is not { } n) return;
        var type = p[n.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(p[n.IndexOf("AllocationAmount64")]);
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
        Interlocked.Add(ref _total, amount);
    }

    public override void Dispose()
    {
        base.Dispose();
        var total = Math.Max(1, Interlocked.Read(ref _total));
        Console.Error.WriteLine($"  allocations sampled: {total / 1048576} MiB");
        foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(40))
            Console.Error.WriteLine($"  {bytes * 100.0 / total,5:F1}% {bytes / 1048576,6} MiB  {type}");
    }
}
