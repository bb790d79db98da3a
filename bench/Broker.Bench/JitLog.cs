using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Broker.Bench;

/// <summary>
/// Counts the methods the JIT compiles while it lives, by namespace, and prints the top ones when disposed: for
/// finding code that a node compiles again each time it starts.
/// </summary>
internal sealed class JitLog : EventListener
{
    private readonly ConcurrentDictionary<string, int> _methods = new();

    /// <summary>With <c>BENCH_JITLOG=window</c>: counts only while true (from a round's first record to its last).</summary>
    public static volatile bool InWindow;

    private static readonly bool WindowOnly = Environment.GetEnvironmentVariable("BENCH_JITLOG") == "window";

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (WindowOnly && !InWindow) return;
        if (e.EventName is not "MethodLoadVerbose_V2" and not "MethodLoadVerbose_V1" || e.Payload is not { } p || e.PayloadNames is not { } n) return;
        var ns = p[n.IndexOf("MethodNamespace")] as string ?? "?";
        var name = p[n.IndexOf("MethodName")] as string ?? "?";
        var key = ns.Length > 90 ? ns[..90] : ns;
        if (ns.Length == 0 || WindowOnly) key = (ns.Length == 0 ? "(dynamic) " : ns + "::") + name;
        if (key.Length > 140) key = key[..140];
        _methods.AddOrUpdate(key, 1, (_, v) => v + 1);
    }

    public override void Dispose()
    {
        base.Dispose();
        Console.Error.WriteLine($"  methods compiled: {_methods.Values.Sum():N0}");
        foreach (var (key, count) in _methods.OrderByDescending(kv => kv.Value).Take(WindowOnly ? 80 : 30))
            Console.Error.WriteLine($"  {count,6:N0}  {key}");
    }
}
