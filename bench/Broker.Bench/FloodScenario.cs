using System.Diagnostics;
using Broker.Processing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Bench;

/// <summary>
/// Memory under a backlog: a Broker node with a slow handler (1 ms per record) and 1,000,000 distinct keys
/// faces a backlog of 100,000 and then of 1,000,000 records, each for a fixed time. The embedded Kafka runs in
/// a process of its own (Broker.Host's <c>kafka</c> verb), because the mock keeps every record in the memory
/// of the process that owns it; each node runs in a fresh process whose peak RSS is reported. Memory should
/// follow Broker's windows, not the backlog.
/// </summary>
internal static class FloodScenario
{
    private const int Partitions = 48, ValueBytes = 100, Keys = 1_000_000;
    private static readonly TimeSpan RunTime = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(string[] args)
    {
        using var kafka = KafkaProcess.Start(["flood-100k", "flood-1m"], Partitions);
        Console.WriteLine($"embedded Kafka in process {kafka.Pid} at {kafka.Bootstrap}");
        var results = new List<(int Backlog, NodeResult Node)>();
        foreach (var (topic, backlog) in new[] { ("flood-100k", 100_000), ("flood-1m", 1_000_000) })
        {
            var rate = BenchKafka.Produce(kafka.Bootstrap, topic, backlog, Keys, ValueBytes);
            Console.WriteLine($"{topic}: produced {backlog:N0} records of {ValueBytes} B over {Math.Min(backlog, Keys):N0} keys at {rate:N0}/s");
            var node = await RunNodeProcessAsync(kafka.Bootstrap, topic);
            results.Add((backlog, node));
            Console.WriteLine($"{topic}: node handled {node.Handled:N0} records in {RunTime.TotalSeconds:F0} s, peak RSS {node.PeakRss / 1048576.0:F0} MiB (GC heap {node.PeakHeap / 1048576.0:F0} MiB, committed {node.PeakCommitted / 1048576.0:F0} MiB, {node.Collections}), peak live keys {node.PeakLiveKeys:N0}, peak in flight {node.PeakInFlight:N0}");
        }
        kafka.AssertNothingDropped();
        var small = results[0].Node.PeakRss;
        var large = results[1].Node.PeakRss;
        Console.WriteLine($"peak RSS: {small / 1048576.0:F0} MiB with a 100,000-record backlog, {large / 1048576.0:F0} MiB with 1,000,000");
        Console.WriteLine($"flood: rss_1M/rss_100k = {(double)large / small:F2}");
        return 0;
    }

    private static async Task<NodeResult> RunNodeProcessAsync(string bootstrap, string topic)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = false };
        info.ArgumentList.Add(typeof(FloodScenario).Assembly.Location);
        foreach (var a in new[] { "flood-node", bootstrap, topic, RunTime.TotalSeconds.ToString() }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        NodeResult? result = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("result ", StringComparison.Ordinal)) result = NodeResult.Parse(line);
        await process.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"the node process for {topic} exited {process.ExitCode} without a result");
    }

    /// <summary>The child process: one Broker node on <c>args = [bootstrap, topic, seconds]</c>; prints one <c>result</c> line.</summary>
    public static async Task<int> RunNodeAsync(string[] args)
    {
        var (bootstrap, topic, seconds) = (args[0], args[1], double.Parse(args[2]));
        using var alloclog = Environment.GetEnvironmentVariable("BENCH_ALLOCS") is null ? null : new AllocLog();
        using var host = await BenchNode.StartAsync<SlowHandler>(bootstrap, topic, "flood-" + topic, _ => { });
        long peakRss = 0, peakLive = 0, peakInFlight = 0, peakHeap = 0, peakCommitted = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            using (var self = Process.GetCurrentProcess()) peakRss = Math.Max(peakRss, self.WorkingSet64);
            var gc = GC.GetGCMemoryInfo();
            peakHeap = Math.Max(peakHeap, gc.HeapSizeBytes);
            peakCommitted = Math.Max(peakCommitted, gc.TotalCommittedBytes);
            var status = host.Status();
            peakLive = Math.Max(peakLive, status.LiveKeys);
            peakInFlight = Math.Max(peakInFlight, status.InFlight);
            await Task.Delay(100);
        }
        var handled = host.Status().Handled;
        var collections = $"GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
        await host.StopAsync();
        using (var self = Process.GetCurrentProcess()) peakRss = Math.Max(peakRss, self.PeakWorkingSet64);
        Console.WriteLine($"result {peakRss} {handled} {peakLive} {peakInFlight} {peakHeap} {peakCommitted} {collections}");
        return 0;
    }

    /// <param name="Collections">GC collections while it ran: <c>GC gen0/gen1/gen2</c>.</param>
    private sealed record NodeResult(long PeakRss, long Handled, long PeakLiveKeys, long PeakInFlight, long PeakHeap, long PeakCommitted, string Collections)
    {
        public static NodeResult Parse(string line)
        {
            var p = line.Split(' ');
            return new NodeResult(long.Parse(p[1]), long.Parse(p[2]), long.Parse(p[3]), long.Parse(p[4]), long.Parse(p[5]), long.Parse(p[6]), $"{p[7]} {p[8]} (gen0/1/2)");
        }
    }

    /// <summary>Awaits 1 ms per record: a handler far slower than Kafka can deliver.</summary>
    private sealed class SlowHandler : IMessageHandler<byte[]>
    {
        public Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken) =>
            Task.Delay(1, cancellationToken);
    }
}
