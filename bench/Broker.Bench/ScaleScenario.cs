using System.Diagnostics;
using Akka.Actor;
using Broker.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Broker.Bench;

/// <summary>
/// Scaling out an I/O-bound service: a handler that awaits 5 ms per record, and the same cap on each node
/// of handler calls running at once (<c>Broker:Consumer:MaxConcurrentHandlers</c>, default 8: the per-node
/// limit a service would set to protect a downstream). One node, then a cluster of three nodes in this
/// process (Akka over TCP on 127.0.0.1), each on a fresh topic of 12 partitions and a fresh consumer group
/// of the same embedded Kafka, which runs in a process of its own (Broker.Host's <c>kafka</c> verb).
/// The nodes start on the empty topic and, once every partition is placed and placement has settled,
/// 240,000 records of 100 bytes over 10,000 keys are produced; after a warm-up, records handled per
/// second are measured over a fixed window in which every node still has a backlog. Besides the rates it
/// prints, per node, the mean number of handler calls running (from the calls' durations: at the cap means
/// the cap is what limits the node, not the CPU or fetching), records in flight, and the CPU used.
/// Option <c>--cap N</c> tries another cap.
/// </summary>
internal static class ScaleScenario
{
    private const int Partitions = 12, Records = 240_000, Keys = 10_000, ValueBytes = 100;
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var cap = args.Length >= 2 && args[0] == "--cap" ? int.Parse(args[1]) : 8;
        var dir = Directory.CreateTempSubdirectory("broker-bench-scale-");
        try
        {
            using var kafka = KafkaProcess.Start(["scale-1n", "scale-3n"], Partitions);
            Console.WriteLine($"embedded Kafka in process {kafka.Pid} at {kafka.Bootstrap}; handler awaits {Work.TotalMilliseconds:F0} ms; " +
                              $"Broker:Consumer:MaxConcurrentHandlers = {cap} on every node ({cap / Work.TotalSeconds:N0} records/s per node if calls took exactly 5 ms)");
            var database = Path.Combine(dir.FullName, "watermarks.db");
            var one = await MeasureAsync(kafka, "scale-1n", 1, cap, database);
            var three = await MeasureAsync(kafka, "scale-3n", 3, cap, database);
            kafka.AssertNothingDropped();
            Console.WriteLine($"1 node: {one.Rate:N0} records/s; 3 nodes: {three.Rate:N0} records/s");
            // A capped node's rate is cap / call time: calls slowed by the machine (timer and thread-pool latency, GC
            // pauses) lower it as Broker's own overhead would; this line tells the two apart.
            Console.WriteLine($"mean handler call: 1 node {one.MeanCall.TotalMilliseconds:F2} ms, 3 nodes {three.MeanCall.TotalMilliseconds:F2} ms " +
                              $"(3n/1n at equal call time: {three.Rate / one.Rate * (three.MeanCall / one.MeanCall):F2})");
            Console.WriteLine($"scale: 3n/1n = {three.Rate / one.Rate:F2}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // let the file go before deleting it
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes on <paramref name="topic"/>, fills it, and returns records/s over the
    /// window and the mean time of a handler call in it.
    /// </summary>
    private static async Task<(double Rate, TimeSpan MeanCall)> MeasureAsync(KafkaProcess kafka, string topic, int count, int cap, string database)
    {
        var label = count == 1 ? "1 node" : $"{count} nodes";
        var nodes = new List<(string Name, IHost Host, CallMeter Meter)>();
        try
        {
            for (var i = 1; i <= count; i++)
            {
                var config = new Dictionary<string, string?>
                {
                    ["Broker:Consumer:MaxConcurrentHandlers"] = cap.ToString(),
                    ["Broker:Persistence:ConnectionString"] = $"Data Source={database}",
                    ["Broker:Cluster:NodeName"] = $"n{i}",
                };
                if (nodes.Count > 0) config["Broker:Cluster:SeedNodes:0"] = Address(nodes[0].Host).ToString();
                var meter = new CallMeter();
                var host = await BenchNode.StartAsync<SlowHandler>(kafka.Bootstrap, topic, "scale-" + topic, s => s.AddSingleton(meter), config: config);
                nodes.Add(($"n{i}", host, meter));
            }
            var placement = await SettledPlacementAsync(nodes.Select(n => n.Host).ToArray());
            Console.WriteLine($"{label}: partitions placed {string.Join(" | ", nodes.Select((n, i) => $"{n.Name}: {string.Join(",", placement[i])}"))}");

            var produced = BenchKafka.Produce(kafka.Bootstrap, topic, Records, Keys, ValueBytes);
            Console.WriteLine($"{label}: produced {Records:N0} records of {ValueBytes} B over {Keys:N0} keys on {Partitions} partitions at {produced:N0}/s");
            await Task.Delay(Warmup);

            var before = nodes.Select(n => n.Meter.Snapshot()).ToArray();
            var cpu = Resources.Now();
            var kafkaCpu = KafkaCpu(kafka);
            var clock = Stopwatch.StartNew();
            await Task.Delay(Window);
            var after = nodes.Select(n => n.Meter.Snapshot()).ToArray();
            var elapsed = clock.Elapsed;
            var use = Resources.Now() - cpu;
            var kafkaUse = KafkaCpu(kafka) - kafkaCpu;

            long handled = 0;
            var busy = TimeSpan.Zero;
            var belowCap = new List<string>();
            for (var i = 0; i < nodes.Count; i++)
            {
                var status = nodes[i].Host.Status();
                var lag = status.Partitions.Where(p => p.Assigned).Sum(p => p.Lag ?? 0);
                var calls = after[i].Calls - before[i].Calls;
                handled += calls;
                busy += after[i].Busy - before[i].Busy;
                var running = (after[i].Busy - before[i].Busy) / elapsed; // Little's law: mean calls running
                var meanCall = calls > 0 ? (after[i].Busy - before[i].Busy) / calls : TimeSpan.Zero;
                Console.WriteLine($"{label}: {nodes[i].Name} handled {calls / elapsed.TotalSeconds:N0} records/s, " +
                                  $"mean {running:F2} of {cap} handler calls running (mean call {meanCall.TotalMilliseconds:F2} ms), " +
                                  $"{status.InFlight:N0} records in flight, lag {lag:N0} at the end");
                if (lag == 0)
                    throw new InvalidOperationException($"{nodes[i].Name} ran out of records before the window ended: produce more.");
                if (running < 0.95 * cap) belowCap.Add(nodes[i].Name);
            }
            Console.WriteLine(belowCap.Count == 0
                ? $"{label}: the cap limits every node (at least 95% of {cap} calls running on average, records waiting in flight for a permit)"
                : $"{label}: WARNING {string.Join(", ", belowCap)} ran below the cap: something else (CPU, fetching) limits it, and the ratio does not measure scaling alone");
            var rate = handled / elapsed.TotalSeconds;
            Console.WriteLine($"{label}: {rate:N0} records/s over {elapsed.TotalSeconds:F1} s; this process {use} " +
                              $"({use.Cpu / elapsed / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores), " +
                              $"Kafka process {kafkaUse.TotalSeconds:F1} s CPU");
            return (rate, handled > 0 ? busy / handled : TimeSpan.Zero);
        }
        finally
        {
            // Youngest first, so the oldest (the singletons' host) leaves last and nothing migrates twice.
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                await nodes[i].Host.StopAsync();
                nodes[i].Host.Dispose();
            }
        }
    }

    private static Address Address(IHost host) => Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<ActorSystem>()).SelfAddress;

    private static TimeSpan KafkaCpu(KafkaProcess kafka)
    {
        using var process = Process.GetProcessById(kafka.Pid);
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// Waits until every partition is fetched by exactly one node, every node fetches some, and nothing has
    /// moved for <see cref="Settled"/> (the rebalance interval is 2 s); returns each node's partitions.
    /// </summary>
    private static async Task<int[][]> SettledPlacementAsync(IHost[] hosts)
    {
        var deadline = Stopwatch.StartNew();
        string? last = null;
        var since = Stopwatch.StartNew();
        while (true)
        {
            var placement = hosts.Select(h => h.Status().Partitions.Where(p => p.Assigned).Select(p => p.Partition).Order().ToArray()).ToArray();
            var complete = placement.Sum(p => p.Length) == Partitions && placement.SelectMany(p => p).Distinct().Count() == Partitions
                           && placement.All(p => p.Length > 0);
            var described = string.Join("|", placement.Select(p => string.Join(",", p)));
            if (described != last)
            {
                last = described;
                since.Restart();
            }
            if (complete && since.Elapsed >= Settled) return placement;
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"placement did not settle within 2 minutes: {described}");
            await Task.Delay(250);
        }
    }

    /// <summary>Handler calls finished on one node and the time they ran, summed.</summary>
    private sealed class CallMeter
    {
        private long _calls;
        private long _busyTicks;

        public void Finished(long startedAt)
        {
            Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - startedAt);
            Interlocked.Increment(ref _calls);
        }

        public (long Calls, TimeSpan Busy) Snapshot() =>
            (Interlocked.Read(ref _calls), TimeSpan.FromSeconds((double)Interlocked.Read(ref _busyTicks) / Stopwatch.Frequency));
    }

    /// <summary>Awaits 5 ms per record, as a call to a remote service would.</summary>
    private sealed class SlowHandler(CallMeter meter) : IMessageHandler<byte[]>
    {
        public async Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            var startedAt = Stopwatch.GetTimestamp();
            await Task.Delay(Work, cancellationToken);
            meter.Finished(startedAt);
        }
    }
}
