using System.Diagnostics;
using System.Diagnostics.Metrics;
using Broker.Telemetry.Internal;
using Confluent.Kafka;
using A = Broker.Telemetry.MessagingAttributes;

namespace Broker.Telemetry;

/// <summary>
/// Running totals of one consumer on this node, kept both as plain counters (for the status snapshot and
/// the host's summary) and as the Meter's instruments, with the consumer and topic as labels (plus the
/// reason or outcome where one applies). Instruments nobody listens to cost a flag check. Thread-safe.
/// </summary>
internal sealed class ConsumerCounters
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly KeyValuePair<string, object?>[] _success, _error, _timeout;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _reasons;
    private long _consumed, _handled, _failed, _deadLettered, _retried, _timedOut, _skipped;
    private readonly CallTotals _calls = new();

    /// <param name="consumer">The consumer's name.</param>
    /// <param name="topic">Its topic.</param>
    /// <param name="zones">Counts handled records by zone placement; by default one that knows no zones (every record <c>unknown</c>).</param>
    public ConsumerCounters(string consumer, string topic, ZoneTelemetry? zones = null)
    {
        Zones = zones ?? new ZoneTelemetry(consumer, topic, "", () => null);
        _tags = [new(A.Consumer, consumer), new(A.DestinationName, topic)];
        _success = With(A.CallOutcome, "success");
        _error = With(A.CallOutcome, "error");
        _timeout = With(A.CallOutcome, "timeout");
        // The dead-letter reasons are Broker's own fixed set (DeadLetterHeaders.Reason), so the label is bounded.
        _reasons = new[] { "deserialization", "missing-key", "handler", "timeout" }
            .ToDictionary(r => r, r => With(A.DeadLetterReason, r), StringComparer.Ordinal);
    }

    /// <summary>Handled records by zone placement, and the zone view the zone gauges read.</summary>
    public ZoneTelemetry Zones { get; }

    public long ConsumedTotal => Volatile.Read(ref _consumed);
    public long HandledTotal => Volatile.Read(ref _handled);
    public long FailedTotal => Volatile.Read(ref _failed);
    public long DeadLetteredTotal => Volatile.Read(ref _deadLettered);
    public long RetriedTotal => Volatile.Read(ref _retried);
    public long TimedOutTotal => Volatile.Read(ref _timedOut);
    public long SkippedTotal => Volatile.Read(ref _skipped);

    public void Consumed(int n) => Add(ref _consumed, BrokerTelemetry.Consumed, n, _tags);
    /// <summary>A keyed consumer of <paramref name="partition"/> (-1: not known) handled <paramref name="n"/> more records.</summary>
    public void Handled(int n, int partition)
    {
        Add(ref _handled, BrokerTelemetry.Handled, n, _tags);
        Zones.Handled(n, partition);
    }
    public void Failed() => Add(ref _failed, BrokerTelemetry.Failed, 1, _tags);
    public void Retried() => Add(ref _retried, BrokerTelemetry.Retried, 1, _tags);
    public void TimedOut() => Add(ref _timedOut, BrokerTelemetry.TimedOut, 1, _tags);
    public void Skipped(int n) => Add(ref _skipped, BrokerTelemetry.Skipped, n, _tags);

    /// <summary>A record's dead letter was written; <paramref name="reason"/> is its <c>broker.dlt.reason</c>.</summary>
    public void DeadLettered(string? reason) =>
        Add(ref _deadLettered, BrokerTelemetry.DeadLettered, 1, reason is not null && _reasons.TryGetValue(reason, out var tags) ? tags : _tags);

    /// <summary>
    /// Handler calls made and their summed duration (always kept: the zone health report takes the error rate
    /// and mean latency of each interval from them, with <see cref="FailedTotal"/>).
    /// </summary>
    public (long Calls, TimeSpan Duration) HandlerCallTotals
    {
        get
        {
            var (calls, ticks) = _calls.Read();
            return (calls, TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency));
        }
    }

    /// <summary>A handler call that began at <paramref name="startedAt"/> (<see cref="Stopwatch.GetTimestamp"/>) ended.</summary>
    public void HandlerCalled(long startedAt, bool failed, bool timedOut) =>
        HandlerCalled(startedAt, Stopwatch.GetTimestamp(), failed, timedOut);

    /// <summary>A handler call that ran from <paramref name="startedAt"/> to <paramref name="endedAt"/> (<see cref="Stopwatch.GetTimestamp"/>) ended.</summary>
    public void HandlerCalled(long startedAt, long endedAt, bool failed, bool timedOut)
    {
        var elapsed = endedAt - startedAt;
        _calls.Add(elapsed);
        if (BrokerTelemetry.HandlerDurations.Enabled)
            BrokerTelemetry.HandlerDurations.Record((double)elapsed / Stopwatch.Frequency, timedOut ? _timeout : failed ? _error : _success);
    }

    /// <summary>A record with <paramref name="timestamp"/> was handled now (by <paramref name="time"/>): its end-to-end latency.</summary>
    public void Latency(Timestamp timestamp, TimeProvider time)
    {
        // The clock is read only when someone listens: this runs for every record.
        if (!BrokerTelemetry.EndToEndLatencies.Enabled || timestamp.Type == TimestampType.NotAvailable) return;
        // A producer clock ahead of ours would give a negative latency; it counts as none.
        var seconds = Math.Max(0, (time.GetUtcNow().ToUnixTimeMilliseconds() - timestamp.UnixTimestampMs) / 1000.0);
        BrokerTelemetry.EndToEndLatencies.Record(seconds, _tags);
    }

    private KeyValuePair<string, object?>[] With(string key, string value) => [.. _tags, new(key, value)];

    private static void Add(ref long total, Counter<long> counter, long n, KeyValuePair<string, object?>[] tags)
    {
        if (n == 0) return;
        Interlocked.Add(ref total, n);
        if (counter.Enabled) counter.Add(n, tags);
    }
}
