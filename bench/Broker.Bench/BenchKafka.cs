using Broker.Kafka;
using Confluent.Kafka;

namespace Broker.Bench;

/// <summary>Producing a backlog to the embedded Kafka and reading it with a plain Confluent.Kafka loop (the baseline).</summary>
internal static class BenchKafka
{
    /// <summary>Produces <paramref name="records"/> records of <paramref name="valueBytes"/> bytes over <paramref name="keys"/> keys; returns records/s.</summary>
    public static double Produce(string bootstrap, string topic, int records, int keys, int valueBytes, int? partition = null)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 20,
            BatchSize = 1_000_000,
            Partitioner = Partitioner.Murmur2Random,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var value = new byte[valueBytes];
        var keyBytes = Enumerable.Range(0, keys).Select(k => System.Text.Encoding.UTF8.GetBytes($"key-{k}")).ToArray();
        long failed = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            var message = new Message<byte[], byte[]> { Key = keyBytes[i % keys], Value = value };
            while (true)
            {
                try
                {
                    if (partition is { } p) producer.Produce(new TopicPartition(topic, p), message, r => { if (r.Error.IsError) Interlocked.Increment(ref failed); });
                    else producer.Produce(topic, message, r => { if (r.Error.IsError) Interlocked.Increment(ref failed); });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        producer.Flush(TimeSpan.FromMinutes(2));
        if (failed > 0) throw new InvalidOperationException($"{failed} records were not delivered");
        return records / started.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Fails loudly when the embedded Kafka dropped records (a partition's low watermark above 0);
    /// <paramref name="remedy"/> tells the operator what to change.
    /// </summary>
    public static void AssertNothingDropped(EmbeddedKafka kafka, string topic, string remedy = "Use more partitions.")
    {
        var dropped = kafka.LowWatermarks(topic, TimeSpan.FromSeconds(10)).Where(w => w.Value > 0).ToArray();
        if (dropped.Length > 0)
            throw new InvalidOperationException($"The embedded Kafka dropped records of {topic} (5 MiB per partition): " +
                string.Join(", ", dropped.Select(d => $"partition {d.Key} starts at {d.Value}")) + ". " + remedy);
    }

    /// <summary>Broker's own fetch settings (defaults), for a plain consumer of group raw-*.</summary>
    public static ConsumerConfig RawConfig(string bootstrap) => Broker.Kafka.Internal.KafkaEndpoint.FetchSettings(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = "raw-" + Guid.NewGuid().ToString("N"),
        AutoOffsetReset = AutoOffsetReset.Earliest,
    }, maxInFlightPerPartition: 1000);

    /// <summary>
    /// The baseline: a plain consume loop with Broker's consumer settings, manually assigned to every
    /// partition, that reads <paramref name="records"/> records and returns records/s from the first record.
    /// </summary>
    public static double RawLoop(string bootstrap, string topic, int partitions, int records, bool librdkafkaPrefetch = false)
    {
        var config = RawConfig(bootstrap);
        if (librdkafkaPrefetch)
        {
            // librdkafka's own prefetch sizes instead of Broker's smaller ones: the loop's best case.
            config.QueuedMinMessages = null;
            config.QueuedMaxMessagesKbytes = null;
            config.FetchMaxBytes = null;
        }
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var first = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("no record within 30 s");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sink = first.Message.Value.Length;
        for (var n = 1; n < records;)
        {
            var r = consumer.Consume(100);
            if (r is null) continue;
            sink += r.Message.Value.Length;
            n++;
        }
        var rate = (records - 1) / clock.Elapsed.TotalSeconds;
        GC.KeepAlive(sink);
        consumer.Close();
        return rate;
    }
}
