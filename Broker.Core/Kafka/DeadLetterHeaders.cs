namespace Broker.Kafka;

/// <summary>
/// Headers Broker adds to a dead letter, after the original record's headers (which are kept byte for
/// byte, the producer's <c>traceparent</c> included). Values are UTF-8 text; numbers in invariant culture,
/// times in ISO 8601 UTC.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>Why: <c>deserialization</c>, <c>missing-key</c>, <c>handler</c> or <c>timeout</c>.</summary>
    public const string Reason = "broker.dlt.reason";

    /// <summary>Full type name of the exception, when there was one.</summary>
    public const string ExceptionType = "broker.dlt.exception.type";

    /// <summary>The exception's message, when there was one.</summary>
    public const string ExceptionMessage = "broker.dlt.exception.message";

    /// <summary>How many times the handler was called for the record (0 when it never was).</summary>
    public const string Attempts = "broker.dlt.attempts";

    /// <summary>The topic the record was consumed from.</summary>
    public const string OriginalTopic = "broker.dlt.original.topic";

    /// <summary>The partition the record was consumed from.</summary>
    public const string OriginalPartition = "broker.dlt.original.partition";

    /// <summary>The record's offset in that partition.</summary>
    public const string OriginalOffset = "broker.dlt.original.offset";

    /// <summary>The record's own timestamp.</summary>
    public const string OriginalTimestamp = "broker.dlt.original.timestamp";

    /// <summary>The consumer group that dead-lettered it.</summary>
    public const string ConsumerGroup = "broker.dlt.consumer.group";

    /// <summary>When it was dead-lettered.</summary>
    public const string Time = "broker.dlt.time";

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that dead-lettered the record (its <c>process {topic}</c> span),
    /// present when that record was traced. Kept apart from the record's own <c>traceparent</c>, which
    /// stays the producer's.
    /// </summary>
    public const string TraceParent = "broker.dlt.traceparent";

    /// <summary>The W3C <c>tracestate</c> of that span, when it has one.</summary>
    public const string TraceState = "broker.dlt.tracestate";
}
