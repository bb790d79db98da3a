using System.Diagnostics.Tracing;
namespace Broker.Bench;

/// <summary>
/// Prints each GC as it starts (the generation it collects and the runtime's reason and type codes), every pause of the
/// runtime for a GC with its steps (threads suspended, marking through older generations' cards, collection done,
/// in ms from the pause's start), and the generation sizes after each GC: for seeing where a round's GC time goes.
/// </summary>
internal sealed class GcLog : EventListener
{
    private DateTime _suspend;
    private bool _paused; // a background GC ends while the runtime runs: its end is not a step of a pause

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is not { } p || e.PayloadNames is not { } n) return;
        switch (e.EventName)
        {
            case "GCStart_V2":
                // Reason 0 = small-object allocation, 1 = induced, 4 = large-object allocation; type 0 = blocking,
                // 1 = background, 2 = foreground during a background GC.
                Console.WriteLine($"  gc #{p[n.IndexOf("Count")]}: generation {p[n.IndexOf("Depth")]}, reason {p[n.IndexOf("Reason")]}, type {p[n.IndexOf("Type")]}");
                break;
            case "GCSuspendEEBegin_V1":
                _suspend = e.TimeStamp;
                _paused = true;
                break;
            case "GCSuspendEEEnd_V1":
                Console.WriteLine($"  suspended in {(e.TimeStamp - _suspend).TotalMilliseconds:F1} ms");
                break;
            case "GCMarkWithType" when Convert.ToInt32(p[n.IndexOf("Type")]) == 3:
                // Root type 3: objects found through the cards of older generations (old objects that were given
                // references to younger ones since the last GC), reported when that marking step ends.
                Console.WriteLine($"  marked {Convert.ToInt64(p[n.IndexOf("Bytes")]) / 1024} KiB through older generations' cards by {(e.TimeStamp - _suspend).TotalMilliseconds:F1} ms");
                break;
            case "GCEnd_V1" when _paused:
                Console.WriteLine($"  collected by {(e.TimeStamp - _suspend).TotalMilliseconds:F1} ms");
                break;
            case "GCRestartEEEnd_V1":
                _paused = false;
                Console.WriteLine($"  pause {(e.TimeStamp - _suspend).TotalMilliseconds:F1} ms");
                break;
            case "GCHeapStats_V2":
                string V(string k) => (Convert.ToInt64(p[n.IndexOf(k)]) / 1024 / 1024).ToString();
                Console.WriteLine($"  heap: g0 {V("GenerationSize0")}M prom0 {V("TotalPromotedSize0")}M g1 {V("GenerationSize1")}M prom1 {V("TotalPromotedSize1")}M g2 {V("GenerationSize2")}M loh {V("GenerationSize3")}M pinned {p[n.IndexOf("PinnedObjectCount")]} handles {p[n.IndexOf("GCHandleCount")]}");
                break;
        }
    }
}
