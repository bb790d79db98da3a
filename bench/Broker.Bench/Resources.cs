namespace Broker.Bench;

/// <summary>
/// Process CPU time, GC activity and JIT compilation at one moment; the difference of two tells what a phase
/// cost.
/// </summary>
internal readonly record struct Resources(TimeSpan Cpu, int Gen0, int Gen1, int Gen2, TimeSpan GcPause, long Allocated,
    long Jitted, TimeSpan JitTime)
{
    public static Resources Now() => new(
        System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(),
        System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

    public static Resources operator -(Resources a, Resources b) =>
        new(a.Cpu - b.Cpu, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.GcPause - b.GcPause, a.Allocated - b.Allocated,
            a.Jitted - b.Jitted, a.JitTime - b.JitTime);

    /// <summary>CPU time and bytes allocated per record, for <paramref name="records"/> records, and what the JIT compiled meanwhile.</summary>
    public string PerRecord(int records) =>
        $"{Cpu.TotalMilliseconds * 1000 / records:F2} µs CPU, {(double)Allocated / records:F0} B allocated, JIT {Jitted:N0} methods in {JitTime.TotalMilliseconds:F0} ms";

    public override string ToString() =>
        $"{Cpu.TotalSeconds:F1} s CPU, GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2) pausing {GcPause.TotalMilliseconds:F0} ms, allocated {Allocated / 1048576} MiB";
}
