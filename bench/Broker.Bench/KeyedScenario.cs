using Broker.Kafka;
using Broker.Processing;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Bench;

/// <summary>
/// One partition, 2,000 records over 100 keys, a handler that awaits 5 ms: Broker (keys in parallel, each
/// key in order) against handling the partition sequentially with a plain consume loop. The bound is
/// 100 (the number of keys).
/// </summary>
internal static class KeyedScenario
{
    private const int Records = 2_000, Keys = 100;
    private static readonly TimeSpan Work = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        using var kafka = EmbeddedKafka.Start(3);
        const string topic = "keyed";
        kafka.CreateTopic(topic, 1);
        BenchKafka.Produce(kafka.BootstrapServers, topic, Records, Keys, 100, partition: 0);

        var sequential = await Sequential(kafka.BootstrapServers, topic);
        Console.WriteLine($"sequential: {Records:N0} records in {sequential.TotalSeconds:F2} s");

        var counter = new SlowHandler.Counter(Records);
        using (var host = await BenchNode.StartAsync<SlowHandler>(kafka.BootstrapServers, topic, "keyed-broker",
                   s => s.AddSingleton(counter)))
        {
            await counter.Done.WaitAsync(TimeSpan.FromMinutes(2));
            await host.StopAsync();
        }
        Console.WriteLine($"broker: {Records:N0} records in {counter.Elapsed.TotalSeconds:F3} s (first handler start to last handler end)");
        Console.WriteLine($"keyed: speedup = {sequential / counter.Elapsed:F1}");
        return 0;
    }

    private static async Task<TimeSpan> Sequential(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "keyed-sequential",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchQueueBackoffMs = 10,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var clock = new System.Diagnostics.Stopwatch();
        for (var n = 0; n < Records;)
        {
            var r = consumer.Consume(100);
            if (r is null) continue;
            clock.Start();
            await Task.Delay(Work);
            n++;
        }
        consumer.Close();
        return clock.Elapsed;
    }

    /// <summary>Awaits 5 ms per record; the clock runs from the first call's start to the last call's end.</summary>
    private sealed class SlowHandler(SlowHandler.Counter counter) : IMessageHandler<byte[]>
    {
        public async Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            counter.Started();
            await Task.Delay(Work, cancellationToken);
            counter.Finished();
        }

        public sealed class Counter(int target)
        {
            private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private long _finished;
            private long _firstTicks;
            private long _lastTicks;

            public Task Done => _done.Task;
            public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_firstTicks, _lastTicks);

            public void Started() => Interlocked.CompareExchange(ref _firstTicks, System.Diagnostics.Stopwatch.GetTimestamp(), 0);

            public void Finished()
            {
                if (Interlocked.Increment(ref _finished) != target) return;
                _lastTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                _done.TrySetResult();
            }
        }
    }
}
