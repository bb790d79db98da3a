using Broker.Kafka;
using Broker.Kafka.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Inspection.Internal;

/// <summary>
/// Reads dead-letter topics for the <c>dlq</c> palette: how many records one holds, and replay: re-producing
/// its records to the topic each came from (<see cref="DeadLetterHeaders.OriginalTopic"/>) with their key,
/// value and original headers (the <c>broker.dlt.*</c> ones dropped), through an idempotent producer.
/// Blocking Kafka calls run on a thread of their own, never on an actor's.
/// </summary>
internal static class DeadLetterTopics
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A replay that receives nothing for this long, with records still ahead, gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries awaited at once; the replay waits for them before reading on (bounds the producer's queue).</summary>
    private const int MaxUndelivered = 1000;

    private const string DeadLetterHeaderPrefix = "broker.dlt.";

    /// <summary>Records stored in <paramref name="topic"/> (end minus start offset over its partitions), or null when it does not exist.</summary>
    public static Task<long?> CountAsync(KafkaEndpoint kafka, string topic, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() =>
        {
            using var reader = new ConsumerBuilder<byte[]?, byte[]?>(kafka.ReaderConfig("broker-dlq")).Build();
            var partitions = Partitions(reader, topic);
            if (partitions is null) return (long?)null;
            long total = 0;
            foreach (var p in partitions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wm = reader.QueryWatermarkOffsets(new TopicPartition(topic, p), RequestTimeout);
                total += Math.Max(0, wm.High.Value - wm.Low.Value);
            }
            return total;
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Replays the records of <paramref name="topic"/> that are there when it starts: from <paramref name="from"/>
    /// (each partition's start when null) up to each partition's end, at most <paramref name="count"/> records read.
    /// Completes once every re-produced record is acknowledged.
    /// </summary>
    /// <exception cref="ArgumentException">The topic or partition does not exist.</exception>
    /// <exception cref="KafkaException">A record could not be re-produced (those before it were).</exception>
    /// <exception cref="TimeoutException">No record arrived for 30 s although the partitions' ends were not reached.</exception>
    public static Task<ReplayResult> ReplayAsync(KafkaEndpoint kafka, string topic, int? partition, long? from, long? count,
        ILogger logger, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Replay(kafka, topic, partition, from, count, logger, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static ReplayResult Replay(KafkaEndpoint kafka, string topic, int? partition, long? from, long? count,
        ILogger logger, CancellationToken cancellationToken)
    {
        using var reader = new ConsumerBuilder<byte[]?, byte[]?>(kafka.ReaderConfig("broker-dlq-replay")).Build();
        var partitions = Partitions(reader, topic) ?? throw new ArgumentException($"topic '{topic}' does not exist.");
        if (partition is { } only)
        {
            if (!partitions.Contains(only))
                throw new ArgumentException($"topic '{topic}' has no partition {only}; it has {partitions.Count} (0..{partitions.Count - 1}).");
            partitions = [only];
        }

        var ranges = new SortedDictionary<int, PartitionRange>();
        foreach (var p in partitions)
        {
            var wm = reader.QueryWatermarkOffsets(new TopicPartition(topic, p), RequestTimeout);
            var start = Math.Max(from ?? wm.Low.Value, wm.Low.Value);
            ranges[p] = new PartitionRange(p, start, wm.High.Value) { Next = start };
        }
        var open = ranges.Values.Where(r => r.Start < r.End).ToDictionary(r => r.Partition);
        reader.IncrementalAssign(open.Values.Select(r => new TopicPartitionOffset(topic, r.Partition, r.Start)));

        using var producer = new ProducerBuilder<byte[]?, byte[]?>(kafka.ProducerConfig("broker-dlq-replay")).Build();
        var limit = count ?? long.MaxValue;
        long read = 0, replayed = 0, skipped = 0, undelivered = 0;
        Error? failure = null;
        var byTopic = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var lastRecord = DateTime.UtcNow;
        void Delivered(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError) Interlocked.CompareExchange(ref failure, report.Error, null);
        }

        while (open.Count > 0 && read < limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = reader.Consume(TimeSpan.FromMilliseconds(200));
            if (record is null)
            {
                // Offsets without a record (transaction markers, compaction) never arrive: the position tells.
                foreach (var r in open.Values.ToArray())
                    if (reader.Position(new TopicPartition(topic, r.Partition)).Value >= r.End) Close(r);
                if (open.Count > 0 && DateTime.UtcNow - lastRecord > StallTimeout)
                    throw new TimeoutException($"no record of '{topic}' arrived for {StallTimeout.TotalSeconds:0} s; {replayed} were replayed before that.");
                continue;
            }
            lastRecord = DateTime.UtcNow;
            if (!open.TryGetValue(record.Partition.Value, out var range)) continue;
            if (record.Offset.Value >= range.End)
            {
                Close(range);
                continue;
            }
            range.Next = record.Offset.Value + 1;
            read++;
            if (range.Next >= range.End) Close(range);

            var original = record.Message.Headers?.TryGetLastBytes(DeadLetterHeaders.OriginalTopic, out var bytes) == true
                ? System.Text.Encoding.UTF8.GetString(bytes)
                : null;
            if (string.IsNullOrEmpty(original))
            {
                skipped++;
                continue;
            }
            var headers = new Headers();
            if (record.Message.Headers is { } recordHeaders)
                foreach (var h in recordHeaders)
                    if (!h.Key.StartsWith(DeadLetterHeaderPrefix, StringComparison.Ordinal)) headers.Add(h.Key, h.GetValueBytes());
            producer.Produce(original, new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers },
                Delivered);
            replayed++;
            byTopic[original] = byTopic.GetValueOrDefault(original) + 1;
            if (++undelivered >= MaxUndelivered)
            {
                Flush(producer, cancellationToken);
                undelivered = 0;
                if (Volatile.Read(ref failure) is { } error) throw new KafkaException(error);
            }
        }
        Flush(producer, cancellationToken);
        if (Volatile.Read(ref failure) is { } last) throw new KafkaException(last);

        logger.LogInformation("Inspection: replayed {Replayed} dead letters of {Topic} ({Skipped} without an original topic skipped)",
            replayed, topic, skipped);
        return new ReplayResult(topic, replayed, skipped,
            byTopic.Select(t => new ReplayedTopic(t.Key, t.Value)).ToArray(),
            ranges.Values.Select(r => new ReplayedPartition(r.Partition, r.Start, r.Next, r.End)).ToArray());

        void Close(PartitionRange r)
        {
            if (!open.Remove(r.Partition)) return;
            reader.IncrementalUnassign([new TopicPartition(topic, r.Partition)]);
        }
    }

    private static void Flush(IProducer<byte[]?, byte[]?> producer, CancellationToken cancellationToken)
    {
        while (producer.Flush(TimeSpan.FromMilliseconds(500)) > 0) cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The topic's partition numbers, or null when the topic does not exist.</summary>
    private static List<int>? Partitions(IConsumer<byte[]?, byte[]?> reader, string topic)
    {
        // Asked through the consumer's handle: a consumer's metadata request never auto-creates the topic it names
        // (a producer-type handle, which an AdminClient is, would, on a broker with auto.create.topics.enable).
        using var admin = new DependentAdminClientBuilder(reader.Handle).Build();
        var metadata = admin.GetMetadata(topic, RequestTimeout);
        var t = metadata.Topics.FirstOrDefault(m => m.Topic == topic);
        if (t is null || t.Error.IsError || t.Partitions.Count == 0) return null;
        return t.Partitions.Select(p => p.PartitionId).Order().ToList();
    }

    private sealed class PartitionRange(int partition, long start, long end)
    {
        public int Partition { get; } = partition;
        public long Start { get; } = start;
        public long End { get; } = end;
        public long Next { get; set; }
    }

    /// <summary>The answer to <c>dlq replay</c>: records re-produced, records skipped (no original topic header), per target topic and per partition read.</summary>
    public sealed record ReplayResult(string Topic, long Replayed, long Skipped, IReadOnlyList<ReplayedTopic> To,
        IReadOnlyList<ReplayedPartition> Partitions);

    /// <summary>How many records went back to one original topic.</summary>
    public sealed record ReplayedTopic(string Topic, long Records);

    /// <summary>One partition of the dead-letter topic: read from <paramref name="From"/> up to (not including) <paramref name="Next"/>; <paramref name="End"/> was its end when the replay started.</summary>
    public sealed record ReplayedPartition(int Partition, long From, long Next, long End);
}
