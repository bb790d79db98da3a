using Akka.Actor;
using Broker.Kafka;
using Broker.Persistence.Internal;
using Broker.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Broker.Bench;

/// <summary>
/// The cost of idempotency watermarks: one node with a no-op handler reads the same 1,000,000 records of
/// 100 bytes over 10,000 keys on 32 partitions with watermarks on (Akka.Persistence.Sql on a SQLite file in
/// a temporary directory, a fresh file per run) and off, each run with a fresh consumer group, measured from
/// the first record handled to the last. Rounds (5; option <c>--rounds N</c>) alternate off and on; the
/// line compares the medians. CPU per record (this process, the embedded Kafka included) is printed too: it
/// moves less than the rates when other work shares the machine.
/// </summary>
internal static class IdempotencyScenario
{
    private const int Records = 1_000_000, Partitions = 32, ValueBytes = 100, Keys = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1]) : 5;
        var dir = Directory.CreateTempSubdirectory("broker-bench-idempotency-");
        try
        {
            using var kafka = EmbeddedKafka.Start(3);
            const string topic = "idempotency";
            kafka.CreateTopic(topic, Partitions);
            var produced = BenchKafka.Produce(kafka.BootstrapServers, topic, Records, Keys, ValueBytes);
            BenchKafka.AssertNothingDropped(kafka, topic);
            Console.WriteLine($"produced {Records:N0} records of {ValueBytes} B over {Keys:N0} keys on {Partitions} partitions at {produced:N0}/s");
            Console.WriteLine($"watermarks stored in SQLite files under {dir.FullName}");

            var off = new List<RunResult>();
            var on = new List<RunResult>();
            for (var round = 1; round <= rounds; round++)
            {
                off.Add(await Run(kafka.BootstrapServers, topic, $"idempotency-off-{round}", null));
                var database = Path.Combine(dir.FullName, $"round-{round}.db");
                on.Add(await Run(kafka.BootstrapServers, topic, $"idempotency-on-{round}", database));
                Console.WriteLine($"round {round}: off {off[^1]}; on {on[^1]}, stored {on[^1].StoredWatermarks:N0} watermarks " +
                                  $"in {on[^1].JournalWrites:N0} journal writes, SQLite file {new FileInfo(database).Length / 1024:N0} KiB");
            }
            var offMedian = Median(off.Select(r => r.Rate));
            var onMedian = Median(on.Select(r => r.Rate));
            Console.WriteLine($"median of {rounds}: watermarks off {offMedian:N0} records/s, on {onMedian:N0} records/s; " +
                              $"CPU per record off {Median(off.Select(r => r.CpuPerRecord)):F2} µs, on {Median(on.Select(r => r.CpuPerRecord)):F2} µs");
            Console.WriteLine($"idempotency: on/off = {onMedian / offMedian:F2}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // let the files go before deleting them
            dir.Delete(recursive: true);
        }
    }

    /// <summary>One node on a fresh group; watermarks on when <paramref name="database"/> names a SQLite file.</summary>
    private static async Task<RunResult> Run(string bootstrap, string topic, string group, string? database)
    {
        var counter = new Counter(Records);
        var config = new Dictionary<string, string?> { ["Broker:Consumer:Watermarks"] = database is null ? "false" : "true" };
        if (database is not null) config["Broker:Persistence:ConnectionString"] = $"Data Source={database}";
        using var host = await BenchNode.StartAsync<CountingHandler>(bootstrap, topic, group, s => s.AddSingleton(counter), config: config);
        var stored = new StoredCounter();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var listener = system.ActorOf(Props.Create(() => new StoredListener(stored)));
        system.EventStream.Subscribe(listener, typeof(PartitionWatermarks.WatermarksStored));
        await counter.Done.WaitAsync(TimeSpan.FromMinutes(5));
        await host.StopAsync();
        return new RunResult((Records - 1) / counter.Elapsed.TotalSeconds, counter.Cpu.TotalMicroseconds / Records,
            stored.Writes, stored.Watermarks);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>One run: records/s and process CPU per record from the first record to the last, and what it journaled.</summary>
    private sealed record RunResult(double Rate, double CpuPerRecord, long JournalWrites, long StoredWatermarks)
    {
        public override string ToString() => $"{Rate:N0} records/s, {CpuPerRecord:F2} µs CPU per record";
    }

    /// <summary>Journal writes of watermarks and the watermarks they held, until the node stopped.</summary>
    private sealed class StoredCounter
    {
        public long Writes;
        public long Watermarks;
    }

    private sealed class StoredListener : ReceiveActor
    {
        public StoredListener(StoredCounter counter) => Receive<PartitionWatermarks.WatermarksStored>(s =>
        {
            counter.Writes++;
            counter.Watermarks += s.Watermarks.Count;
        });
    }

    /// <summary>Counts records; the clock and the process's CPU time run from the first handled record to the last.</summary>
    private sealed class Counter(int target)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count;
        private long _firstTicks;
        private long _lastTicks;
        private TimeSpan _firstCpu;
        private TimeSpan _lastCpu;

        public Task Done => _done.Task;
        public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_firstTicks, _lastTicks);
        public TimeSpan Cpu => _lastCpu - _firstCpu;

        public void Hit()
        {
            var n = Interlocked.Increment(ref _count);
            if (n == 1)
            {
                _firstTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                _firstCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            }
            if (n != target) return;
            _lastTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            _lastCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            _done.TrySetResult();
        }
    }

    private sealed class CountingHandler(Counter counter) : IMessageHandler<byte[]>
    {
        public Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            counter.Hit();
            return Task.CompletedTask;
        }
    }
}
