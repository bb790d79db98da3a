namespace Broker.Telemetry;

/// <summary>
/// Every span attribute, span event and metric label name Broker writes. The <c>messaging.*</c>,
/// <c>error.type</c> and <c>exception.*</c> names follow the OpenTelemetry semantic conventions 1.27+
/// (messaging spans; the names that 1.24 spelled <c>messaging.operation</c>,
/// <c>messaging.kafka.consumer.group</c>, <c>messaging.kafka.destination.partition</c> and
/// <c>messaging.kafka.message.offset</c> were renamed to the ones below). Broker's own are under <c>broker.*</c>.
/// </summary>
internal static class MessagingAttributes
{
    /// <summary>Always <see cref="KafkaSystem"/>.</summary>
    public const string System = "messaging.system";

    public const string KafkaSystem = "kafka";

    /// <summary><c>process</c> on consumer spans, <c>send</c> on producer spans.</summary>
    public const string OperationType = "messaging.operation.type";

    /// <summary>The operation's name, the same values as <see cref="OperationType"/> here.</summary>
    public const string OperationName = "messaging.operation.name";

    /// <summary>The topic. Also a metric label (bounded: one per consumer).</summary>
    public const string DestinationName = "messaging.destination.name";

    /// <summary>The partition number as a string. A metric label only on the per-partition lag gauge.</summary>
    public const string DestinationPartitionId = "messaging.destination.partition.id";

    /// <summary>The consumer group.</summary>
    public const string ConsumerGroupName = "messaging.consumer.group.name";

    /// <summary>The record's offset. Spans only: never a metric label.</summary>
    public const string KafkaOffset = "messaging.kafka.offset";

    /// <summary>The record's key when it is valid UTF-8 (the spec omits keys with no canonical string form). Spans only: never a metric label.</summary>
    public const string KafkaMessageKey = "messaging.kafka.message.key";

    /// <summary>True when the record's value is null (a tombstone).</summary>
    public const string KafkaMessageTombstone = "messaging.kafka.message.tombstone";

    /// <summary>On a failed span: the last exception's full type name, or <c>timeout</c>, or the dead-letter reason when there was no exception.</summary>
    public const string ErrorType = "error.type";

    /// <summary>The consumer definition's name. Span attribute and metric label.</summary>
    public const string Consumer = "broker.consumer";

    /// <summary>How the record ended: <c>handled</c>, <c>dead_lettered</c> or <c>stopped</c> (the partition moved or the node stopped mid-record).</summary>
    public const string Outcome = "broker.outcome";

    /// <summary>Handler calls made for the record.</summary>
    public const string Attempts = "broker.attempts";

    /// <summary>
    /// Why a record was dead-lettered: <c>deserialization</c>, <c>missing-key</c>, <c>handler</c> or
    /// <c>timeout</c> (the values of the <c>broker.dlt.reason</c> header). Span attribute and label of the
    /// dead-lettered counter.
    /// </summary>
    public const string DeadLetterReason = "broker.dead_letter.reason";

    /// <summary>Label of the handler duration histogram: <c>success</c>, <c>error</c> or <c>timeout</c>.</summary>
    public const string CallOutcome = "broker.call.outcome";

    /// <summary>
    /// A zone's name (<c>Broker:Cluster:Zone</c>; empty for nodes without one). Label of the zone gauges, and of
    /// the zone-placement counter, where it is the zone of the node that handled the records. Bounded: one per zone.
    /// </summary>
    public const string Zone = "broker.zone";

    /// <summary>
    /// Label of the zone-placement counter: <c>home</c> when the record's partition was hosted in its home zone,
    /// <c>away</c> when in another zone (failed over), <c>unknown</c> while no home zone was published.
    /// </summary>
    public const string ZonePlacement = "broker.zone.placement";

    /// <summary>Name of the span event for a failed handler call that will be retried.</summary>
    public const string RetryEvent = "retry";

    /// <summary>On a <see cref="RetryEvent"/>: the number of the call that failed (from 1).</summary>
    public const string RetryAttempt = "broker.retry.attempt";

    /// <summary>On a <see cref="RetryEvent"/>: the backoff before the next call, in seconds.</summary>
    public const string RetryDelay = "broker.retry.delay";

    /// <summary>On a <see cref="RetryEvent"/>: the exception's full type name (semantic conventions <c>exception.type</c>).</summary>
    public const string ExceptionType = "exception.type";

    /// <summary>On a <see cref="RetryEvent"/>: the exception's message (semantic conventions <c>exception.message</c>).</summary>
    public const string ExceptionMessage = "exception.message";
}
