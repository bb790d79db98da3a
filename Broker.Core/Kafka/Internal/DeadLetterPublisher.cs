using System.Diagnostics;
using System.Globalization;
using System.Text;
using Broker.Telemetry.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Broker.Kafka.Internal;

/// <summary>
/// Writes dead letters with an idempotent producer and retries (exponential backoff with jitter, Polly)
/// until Kafka acknowledges or the caller cancels: a record only counts as done once its dead letter is
/// stored. Thread-safe; one per consumer per node.
/// </summary>
internal sealed class DeadLetterPublisher : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly ResiliencePipeline _retry;
    private readonly string _groupId;

    public DeadLetterPublisher(ProducerConfig config, string groupId, ILogger logger)
    {
        _groupId = groupId;
        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .Build();
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<KafkaException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception,
                        "Writing a dead letter failed (attempt {Attempt}); retrying in {DelayMs} ms",
                        args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// Writes <paramref name="record"/> to <paramref name="topic"/> with its key, value and headers plus
    /// the <see cref="DeadLetterHeaders"/> (with <paramref name="trace"/>, the dead-lettering span, as
    /// <see cref="DeadLetterHeaders.TraceParent"/>). Completes when Kafka has acknowledged the write.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public Task PublishAsync(ConsumeResult<byte[], byte[]> record, string topic, string reason, Exception? error,
        int attempts, ActivityContext? trace, CancellationToken cancellationToken)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Headers = Headers(record, reason, error, attempts, trace),
            Timestamp = Timestamp.Default,
        };
        return _retry.ExecuteAsync(
            async ct => { await _producer.ProduceAsync(topic, message, ct).ConfigureAwait(false); },
            cancellationToken).AsTask();
    }

    private Headers Headers(ConsumeResult<byte[], byte[]> record, string reason, Exception? error, int attempts, ActivityContext? trace)
    {
        var headers = new Headers();
        if (record.Message.Headers is { } original)
            foreach (var h in original) headers.Add(h.Key, h.GetValueBytes());
        headers.Add(DeadLetterHeaders.Reason, Text(reason));
        if (error is not null)
        {
            headers.Add(DeadLetterHeaders.ExceptionType, Text(error.GetType().FullName ?? error.GetType().Name));
            headers.Add(DeadLetterHeaders.ExceptionMessage, Text(error.Message));
        }
        headers.Add(DeadLetterHeaders.Attempts, Text(attempts.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalTopic, Text(record.Topic));
        headers.Add(DeadLetterHeaders.OriginalPartition, Text(record.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalOffset, Text(record.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalTimestamp, Text(record.Message.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.ConsumerGroup, Text(_groupId));
        headers.Add(DeadLetterHeaders.Time, Text(DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
        // The original traceparent stays as it was (so a replay continues the producer's trace); the span
        // that dead-lettered the record goes under Broker's own header name.
        if (trace is { } context) TraceContextHeaders.Inject(context, headers, DeadLetterHeaders.TraceParent, DeadLetterHeaders.TraceState);
        return headers;
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
