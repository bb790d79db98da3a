using System.Diagnostics.Tracing;
namespace Broker.Bench;
internal sealed class GcLog : EventListener
{
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
    }
    private DateTime _suspend;
    private object? _depth;
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is "GCSuspendEEBegin_V1") { _suspend = e.TimeStamp; return; }
        if (e.EventName is "GCRestartEEEnd_V1") { Console.WriteLine($"  pause {(e.TimeStamp - _suspend).TotalMilliseconds:F1} ms depth {_depth}"); return; }
        if (e.EventName is "GCHeapStats_V2")
        {
            var p = e.Payload!; var n = e.PayloadNames!;
            string V(string k) => (Convert.ToInt64(p[n.IndexOf(k)]) / 1024 / 1024).ToString();
            Console.WriteLine($"  heap: g0 {V("GenerationSize0")}M prom0 {V("TotalPromotedSize0")}M g1 {V("GenerationSize1")}M prom1 {V("TotalPromotedSize1")}M g2 {V("GenerationSize2")}M loh {V("GenerationSize3")}M pinned {p[n.IndexOf("PinnedObjectCount")]} handles {p[n.IndexOf("GCHandleCount")]}");
        }
        else if (e.EventName is "GCStart_V2")
        {
            var p = e.Payload!; var n = e.PayloadNames!;
            _depth = $"{p[n.IndexOf("Depth")]} reason {p[n.IndexOf("Reason")]} type {p[n.IndexOf("Type")]}";
        }
    }
}
