namespace Broker.Hosting;

/// <summary>
/// The memory guard (configuration section <c>Broker:Memory</c>): above <see cref="PauseAbove"/> of managed
/// heap (its size after the latest GC) every partition of every consumer on the node pauses, until the heap
/// is below <see cref="ResumeBelow"/>. Values are sizes (<c>512MB</c>, <c>2GB</c>, <c>1048576</c> bytes) or
/// shares of the memory available to the process, container limits included (<c>40%</c>). Null keeps the default.
/// </summary>
public sealed class MemoryGuardOptions
{
    /// <summary>Pause every partition above this heap size. Default <c>40%</c>.</summary>
    public string? PauseAbove { get; set; }

    /// <summary>Resume once the heap is below this. Default <c>30%</c>; must be below <see cref="PauseAbove"/>.</summary>
    public string? ResumeBelow { get; set; }
}
