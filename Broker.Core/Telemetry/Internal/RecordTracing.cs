using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Broker.Processing.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using A = Broker.Telemetry.MessagingAttributes;

namespace Broker.Telemetry.Internal;

/// <summary>
/// The consumer span of each record of one consumer on this node: <c>process {topic}</c>, kind Consumer,
/// child of the context in the record's <c>traceparent</c> header (a new trace when there is none or it
/// does not parse), from the moment its keyed consumer takes it to its outcome (handled, or its dead letter
/// written). With no listener on Broker's ActivitySource, <see cref="Start"/> returns null and nothing is
/// allocated. Thread-safe.
/// </summary>
internal sealed class RecordTracing(string consumer, string topic, string groupId, ILogger logger, TimeProvider time)
{
    /// <summary>The least time between two warnings about malformed traceparent headers: 10 s.</summary>
    public static readonly TimeSpan WarningInterval = WarningThrottle.Interval;

    private const int MaxLoggedHeaderChars = 120;

    private readonly string _spanName = "process " + topic;
    private readonly WarningThrottle _malformedWarnings = new(time);

    /// <summary>
    /// Starts <paramref name="record"/>'s span, or returns null when nobody listens or the sampler drops it.
    /// Leaves <see cref="Activity.Current"/> as it was: the caller makes the span current where the handler runs.
    /// </summary>
    public Activity? Start(ConsumeResult<byte[], byte[]> record)
    {
        var source = BrokerTelemetry.ActivitySource;
        if (!source.HasListeners()) return null;
        var parent = TraceContextHeaders.Extract(record.Message.Headers, out var context, out var malformed);
        if (parent == TraceContextHeaders.Parent.Malformed) WarnMalformed(record, malformed!);
        var previous = Activity.Current;
        Activity.Current = null; // the record's own context is the parent, never whatever ran before on this thread
        var span = source.StartActivity(_spanName, ActivityKind.Consumer, context,
        [
            new(A.System, A.KafkaSystem),
            new(A.OperationType, "process"),
            new(A.DestinationName, topic),
            new(A.ConsumerGroupName, groupId),
        ]);
        Activity.Current = previous;
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(A.OperationName, "process");
            span.SetTag(A.DestinationPartitionId, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
            span.SetTag(A.KafkaOffset, record.Offset.Value);
            if (record.Message.Key is { } key && Utf8.IsValid(key)) span.SetTag(A.KafkaMessageKey, Encoding.UTF8.GetString(key));
            if (record.Message.Value is null) span.SetTag(A.KafkaMessageTombstone, true);
            span.SetTag(A.Consumer, consumer);
        }
        return span;
    }

    /// <summary>Records a failed handler call that will be retried after <paramref name="delay"/>.</summary>
    public static void Retrying(Activity span, int failedAttempt, TimeSpan delay, Exception? error)
    {
        if (!span.IsAllDataRequested) return;
        var tags = new ActivityTagsCollection
        {
            [A.RetryAttempt] = failedAttempt,
            [A.RetryDelay] = delay.TotalSeconds,
        };
        if (error is not null)
        {
            tags[A.ExceptionType] = error.GetType().FullName;
            tags[A.ExceptionMessage] = error.Message;
        }
        span.AddEvent(new ActivityEvent(A.RetryEvent, tags: tags));
    }

    /// <summary>Ends <paramref name="span"/> of a record its handler completed.</summary>
    public static void Handled(Activity span, int attempts)
    {
        span.SetTag(A.Outcome, "handled");
        span.SetTag(A.Attempts, attempts);
        span.Stop();
    }

    /// <summary>
    /// Marks <paramref name="span"/> as failed: its record goes to the dead-letter topic for <paramref name="outcome"/>'s
    /// reason. The span stays open until <see cref="End"/>, after the dead letter is written.
    /// </summary>
    public static void DeadLettering(Activity span, RecordOutcome outcome)
    {
        span.SetTag(A.Outcome, "dead_lettered");
        span.SetTag(A.DeadLetterReason, outcome.Reason);
        span.SetTag(A.Attempts, outcome.Attempts);
        span.SetTag(A.ErrorType, outcome.Reason == "timeout" ? "timeout" : outcome.Error?.GetType().FullName ?? outcome.Reason);
        span.SetStatus(ActivityStatusCode.Error, outcome.Error?.Message ?? outcome.Reason);
        if (outcome.Error is not null && span.IsAllDataRequested) span.AddException(outcome.Error);
    }

    /// <summary>Ends <paramref name="span"/> of a record cut short because its partition stopped here (it will be read again).</summary>
    public static void Stopped(Activity span)
    {
        span.SetTag(A.Outcome, "stopped");
        span.SetStatus(ActivityStatusCode.Unset);
        span.Stop();
    }

    /// <summary>Ends <paramref name="span"/>.</summary>
    public static void End(Activity span) => span.Stop();

    private void WarnMalformed(ConsumeResult<byte[], byte[]> record, string value)
    {
        var shown = value.Length > MaxLoggedHeaderChars ? value[..MaxLoggedHeaderChars] + "..." : value;
        if (_malformedWarnings.ShouldWarn(out var quiet))
            logger.LogWarning("Record {Topic}/{Partition}@{Offset} has a malformed traceparent header '{TraceParent}': it is handled in a new trace " +
                              "({Quiet} more malformed traceparent headers of this consumer since the previous warning, logged at Debug)",
                record.Topic, record.Partition.Value, record.Offset.Value, shown, quiet);
        else if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("Record {Topic}/{Partition}@{Offset} has a malformed traceparent header '{TraceParent}': it is handled in a new trace",
                record.Topic, record.Partition.Value, record.Offset.Value, shown);
    }
}
