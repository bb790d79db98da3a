using Broker.Kafka;
using Broker.Processing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Bench;

/// <summary>
/// 1,000,000 records of 100 bytes over 10,000 keys on 32 partitions, no-op handler: Broker's records/s
/// against a plain Confluent.Kafka loop with the same consumer settings on the same embedded Kafka, in
/// one process. Each side reads the whole backlog from the beginning, measured from its first record.
/// Warm-up rounds come first and are not counted: a Broker node runs tens of thousands of methods (Akka,
/// hosting, persistence), and the runtime's tiered compilation takes the first two rounds or so to compile
/// the hot ones fully, on a thread that competes for the same two cores (a service runs for hours, so its
/// steady state is what counts; the first round's figures are printed too).
/// </summary>
internal static class ThroughputScenario
{
    internal const int Records = 1_000_000, Partitions = 32;
    private const int ValueBytes = 100;
    private static readonly int Keys = int.Parse(Environment.GetEnvironmentVariable("BENCH_KEYS") ?? "10000");

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 3);
        var warmups = Option(args, "--warmup", 3);
        using var kafka = EmbeddedKafka.Start(3);
        var topic = ProduceBacklog(kafka);

        var raw = new List<double>();
        var rawPrefetch = new List<double>();
        var broker = new List<double>();
        for (var round = 1 - warmups; round <= rounds; round++)
        {
            if (round == 1)
            {
                raw.Clear();
                rawPrefetch.Clear();
                broker.Clear();
            }
            var cpu = Resources.Now();
            raw.Add(Environment.GetEnvironmentVariable("BENCH_SKIP_RAW") is null ? BenchKafka.RawLoop(kafka.BootstrapServers, topic, Partitions, Records) : 1);
            var rawUse = Resources.Now() - cpu;
            cpu = Resources.Now();
            broker.Add(await BrokerRate(kafka.BootstrapServers, topic, round));
            var brokerUse = Resources.Now() - cpu;
            if (Environment.GetEnvironmentVariable("BENCH_SKIP_RAW") is null)
                rawPrefetch.Add(BenchKafka.RawLoop(kafka.BootstrapServers, topic, Partitions, Records, librdkafkaPrefetch: true));
            var name = round >= 1 ? $"round {round}" : $"warm-up round {round + warmups}";
            Console.WriteLine($"{name}: raw {raw[^1]:N0} records/s ({rawUse}), broker {broker[^1]:N0} records/s ({brokerUse}, incl. start/stop)");
            Console.WriteLine($"  per record: raw {rawUse.PerRecord(Records)}, broker {brokerUse.PerRecord(Records)}; " +
                              $"broker from its first record to its last: {_steady.PerRecord(Records - 1)}");
        }
        var rawMedian = Median(raw);
        var brokerMedian = Median(broker);
        Console.WriteLine($"median of {rounds}: raw {rawMedian:N0} records/s, broker {brokerMedian:N0} records/s");
        if (rawPrefetch.Count > 0)
            Console.WriteLine($"for reference, the raw loop with librdkafka's default prefetch sizes: {Median(rawPrefetch):N0} records/s (broker/that = {brokerMedian / Median(rawPrefetch):F2})");
        Console.WriteLine($"throughput: broker/raw = {brokerMedian / rawMedian:F2}");
        return 0;
    }

    /// <summary>Produces the scenario's backlog to <paramref name="kafka"/>, checks none of it was dropped, and returns its topic.</summary>
    internal static string ProduceBacklog(EmbeddedKafka kafka)
    {
        const string topic = "throughput";
        kafka.CreateTopic(topic, Partitions);
        var produced = BenchKafka.Produce(kafka.BootstrapServers, topic, Records, Keys, ValueBytes);
        BenchKafka.AssertNothingDropped(kafka, topic,
            $"Spread the records over more keys (BENCH_KEYS={Keys:N0} now; 1,000 or more fit): a partition holds the records of the keys hashed to it.");
        Console.WriteLine($"produced {Records:N0} records of {ValueBytes} B over {Keys:N0} keys on {Partitions} partitions at {produced:N0}/s");
        return topic;
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    private static async Task<double> BrokerRate(string bootstrap, string topic, int round)
    {
        var counter = new CountingHandler.Counter(Records);
        using var gclog = Environment.GetEnvironmentVariable("BENCH_GCLOG") is null ? null : new GcLog();
        using var alloclog = Environment.GetEnvironmentVariable("BENCH_ALLOCS") is null ? null : new AllocLog();
        using var jitlog = Environment.GetEnvironmentVariable("BENCH_JITLOG") is null ? null : new JitLog();
        using var host = await BenchNode.StartAsync<CountingHandler>(bootstrap, topic, $"broker-{round}",
            s => s.AddSingleton(counter));
        await counter.Done.WaitAsync(TimeSpan.FromMinutes(5));
        _steady = counter.Steady;
        if (Environment.GetEnvironmentVariable("BENCH_SEGMENTS") is not null)
        {
            var prev = counter.Marks[1];
            for (var i = 2; i <= 10; i++)
            {
                Console.WriteLine($"  segment {i}: {100_000 / System.Diagnostics.Stopwatch.GetElapsedTime(prev, counter.Marks[i]).TotalSeconds:N0}/s");
                prev = counter.Marks[i];
            }
        }
        await host.StopAsync();
        return (Records - 1) / counter.Elapsed.TotalSeconds;
    }

    /// <summary>What the latest Broker round used between its first and its last record (no start-up, no stop).</summary>
    private static Resources _steady;

    internal static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Counts records; the clock starts at the first.</summary>
    private sealed class CountingHandler(CountingHandler.Counter counter) : IMessageHandler<byte[]>
    {
        public Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            counter.Hit();
            return Task.CompletedTask;
        }

        public sealed class Counter(int target)
        {
            private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private long _count;
            private long _firstTicks;
            private long _lastTicks;

            public Task Done => _done.Task;
            private Resources _atFirst, _atLast;

            public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_firstTicks, _lastTicks);

            /// <summary>Process CPU and allocations from the first record to the last.</summary>
            public Resources Steady => _atLast - _atFirst;

            public readonly long[] Marks = new long[11];

            private static readonly bool PrintMarks = Environment.GetEnvironmentVariable("BENCH_MARKS") is not null;

            public void Hit()
            {
                var n = Interlocked.Increment(ref _count);
                if (n == 1)
                {
                    _atFirst = Resources.Now();
                    JitLog.InWindow = true;
                    _firstTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                if (n % 100_000 == 0)
                {
                    Marks[n / 100_000] = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (PrintMarks) Console.WriteLine($"  handled {n:N0}"); // for profilers to start and stop on
                }
                if (n != target) return;
                _lastTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                JitLog.InWindow = false;
                _atLast = Resources.Now();
                _done.TrySetResult();
            }
        }
    }
}
