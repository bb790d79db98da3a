using System.Diagnostics.Metrics;

namespace Broker.Telemetry;

/// <summary>
/// Running totals of one consumer on this node, kept both as plain counters (for the status snapshot and
/// the host's summary) and as the Meter's instruments. Thread-safe.
/// </summary>
internal sealed class ConsumerCounters
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private long _consumed, _handled, _failed, _deadLettered, _retried, _timedOut, _skipped;

    public ConsumerCounters(string consumer, string topic)
    {
        _tags = [new(BrokerTelemetry.ConsumerTag, consumer), new(BrokerTelemetry.TopicTag, topic)];
    }

    public long ConsumedTotal => Volatile.Read(ref _consumed);
    public long HandledTotal => Volatile.Read(ref _handled);
    public long FailedTotal => Volatile.Read(ref _failed);
    public long DeadLetteredTotal => Volatile.Read(ref _deadLettered);
    public long RetriedTotal => Volatile.Read(ref _retried);
    public long TimedOutTotal => Volatile.Read(ref _timedOut);
    public long SkippedTotal => Volatile.Read(ref _skipped);

    public void Consumed(int n) => Add(ref _consumed, BrokerTelemetry.Consumed, n);
    public void Handled(int n) => Add(ref _handled, BrokerTelemetry.Handled, n);
    public void Failed() => Add(ref _failed, BrokerTelemetry.Failed, 1);
    public void DeadLettered() => Add(ref _deadLettered, BrokerTelemetry.DeadLettered, 1);
    public void Retried() => Add(ref _retried, BrokerTelemetry.Retried, 1);
    public void TimedOut() => Add(ref _timedOut, BrokerTelemetry.TimedOut, 1);
    public void Skipped(int n) => Add(ref _skipped, BrokerTelemetry.Skipped, n);

    private void Add(ref long total, Counter<long> counter, int n)
    {
        if (n == 0) return;
        Interlocked.Add(ref total, n);
        if (counter.Enabled) counter.Add(n, _tags);
    }
}
