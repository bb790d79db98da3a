namespace Broker.Inspection;

/// <summary>The memory guard as this node last saw it (checked every 100 ms).</summary>
/// <param name="HeapBytes">Managed heap size after the latest GC, bytes.</param>
/// <param name="PauseAboveBytes">Above this every partition pauses (<c>Broker:Memory:PauseAbove</c>), bytes.</param>
/// <param name="ResumeBelowBytes">Below this they resume (<c>Broker:Memory:ResumeBelow</c>), bytes.</param>
/// <param name="Paused">True while the guard holds every partition paused.</param>
/// <param name="Trips">How many times the guard tripped since the node started.</param>
public sealed record MemoryStatus(long HeapBytes, long PauseAboveBytes, long ResumeBelowBytes, bool Paused, int Trips);
