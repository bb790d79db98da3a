using System.Diagnostics;
using Broker.Kafka;
using Broker.Processing;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Bench;

/// <summary>
/// End-to-end latency (record timestamp at produce to handler start) at half the no-op throughput Broker
/// reaches in the same run: Broker's p99 against a plain Confluent.Kafka loop's p99 (time of consume) at the
/// same rate on the same embedded Kafka, each fed live for 10 s.
/// </summary>
internal static class LatencyScenario
{
    private const int Partitions = 12, Keys = 10_000, ValueBytes = 100, ProbeRecords = 300_000;
    private static readonly TimeSpan FeedTime = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        using var kafka = EmbeddedKafka.Start(3);
        var capacity = await NoOpThroughput(kafka);
        var rate = capacity / 2;
        Console.WriteLine($"no-op throughput {capacity:N0} records/s; feeding both at {rate:N0} records/s for {FeedTime.TotalSeconds:F0} s");

        kafka.CreateTopic("latency-raw", Partitions);
        var raw = RawLatencies(kafka.BootstrapServers, "latency-raw", rate);
        Console.WriteLine($"raw:    {Describe(raw)}");

        kafka.CreateTopic("latency-broker", Partitions);
        var broker = await BrokerLatencies(kafka.BootstrapServers, "latency-broker", rate);
        Console.WriteLine($"broker: {Describe(broker)}");

        Console.WriteLine($"latency: p99_gap_ms = {Percentile(broker, 0.99) - Percentile(raw, 0.99):F1}");
        return 0;
    }

    private static async Task<double> NoOpThroughput(EmbeddedKafka kafka)
    {
        kafka.CreateTopic("latency-probe", Partitions);
        BenchKafka.Produce(kafka.BootstrapServers, "latency-probe", ProbeRecords, Keys, ValueBytes);
        var recorder = new Recorder(ProbeRecords);
        using var host = await BenchNode.StartAsync<RecordingHandler>(kafka.BootstrapServers, "latency-probe", "probe",
            s => s.AddSingleton(recorder));
        await recorder.Done.WaitAsync(TimeSpan.FromMinutes(2));
        await host.StopAsync();
        return ProbeRecords / recorder.Elapsed.TotalSeconds;
    }

    private static double[] RawLatencies(string bootstrap, string topic, double rate)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(BenchKafka.RawConfig(bootstrap)).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var produced = Feed(bootstrap, topic, rate);
        var latencies = new List<double>();
        var deadline = DateTime.UtcNow + FeedTime + TimeSpan.FromSeconds(30);
        while (!produced.IsCompleted || latencies.Count < produced.Result)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the raw loop did not read everything");
            var r = consumer.Consume(100);
            if (r is not null) latencies.Add((DateTime.UtcNow - r.Message.Timestamp.UtcDateTime).TotalMilliseconds);
        }
        consumer.Close();
        return latencies.ToArray();
    }

    private static async Task<double[]> BrokerLatencies(string bootstrap, string topic, double rate)
    {
        var recorder = new Recorder(int.MaxValue);
        using var host = await BenchNode.StartAsync<RecordingHandler>(bootstrap, topic, "latency", s => s.AddSingleton(recorder));
        // Let the node take its partitions before the feed starts, as the raw loop has before its feed.
        while (host.Status().Partitions.Count(p => p.Assigned) < Partitions) await Task.Delay(50);
        var produced = await Feed(bootstrap, topic, rate);
        while (recorder.Count < produced) await Task.Delay(50);
        await host.StopAsync();
        return recorder.Latencies();
    }

    /// <summary>Produces at <paramref name="rate"/> records/s for <see cref="FeedTime"/>, timestamped at produce; returns the count.</summary>
    private static Task<int> Feed(string bootstrap, string topic, double rate) => Task.Factory.StartNew(() =>
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 5,
            Partitioner = Partitioner.Murmur2Random,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var value = new byte[ValueBytes];
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (clock.Elapsed < FeedTime)
        {
            var due = (int)(clock.Elapsed.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                var message = new Message<byte[], byte[]>
                {
                    Key = System.Text.Encoding.UTF8.GetBytes($"key-{sent % Keys}"),
                    Value = value,
                    Timestamp = new Timestamp(DateTime.UtcNow),
                };
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, message);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(1));
                    }
                }
            }
            Thread.Sleep(1);
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return sent;
    }, TaskCreationOptions.LongRunning);

    private static string Describe(double[] latencies) =>
        $"{latencies.Length:N0} records, p50 {Percentile(latencies, 0.5):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies.Max():F1} ms";

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private sealed class RecordingHandler(Recorder recorder) : IMessageHandler<byte[]>
    {
        public Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            recorder.Record((DateTime.UtcNow - context.Timestamp.UtcDateTime).TotalMilliseconds);
            return Task.CompletedTask;
        }
    }

    /// <summary>Latencies as handlers saw them (thread-safe), and the time from the first record to the target count.</summary>
    private sealed class Recorder(int target)
    {
        private readonly List<double> _latencies = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _first, _last;

        public Task Done => _done.Task;
        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_first, _last);

        public int Count
        {
            get { lock (_latencies) return _latencies.Count; }
        }

        public void Record(double ms)
        {
            int n;
            lock (_latencies)
            {
                _latencies.Add(ms);
                n = _latencies.Count;
            }
            if (n == 1) _first = Stopwatch.GetTimestamp();
            if (n != target) return;
            _last = Stopwatch.GetTimestamp();
            _done.TrySetResult();
        }

        public double[] Latencies()
        {
            lock (_latencies) return _latencies.ToArray();
        }
    }
}
