using System.Diagnostics.Metrics;
using Broker.Telemetry;

namespace Broker.Tests.Telemetry;

/// <summary>The per-consumer counters behind the status snapshot and the Meter's instruments.</summary>
public sealed class ConsumerCountersSpec
{
    private sealed record Measured(string Instrument, long Value, Dictionary<string, object?> Labels);

    private static List<Measured> Listen(Action record, params string[] instruments)
    {
        var measured = new List<Measured>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrokerTelemetry.Name && instruments.Contains(instrument.Name)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var labels = new Dictionary<string, object?>();
            foreach (var t in tags) labels[t.Key] = t.Value;
            lock (measured) measured.Add(new Measured(instrument.Name, value, labels));
        });
        listener.Start();
        record();
        // Other tests' consumers count too: only this test's consumer name is ours.
        lock (measured) return measured.Where(m => Equals(m.Labels.GetValueOrDefault(BrokerTelemetry.ConsumerTag), "counters-spec")).ToList();
    }

    [Fact]
    public void Skipped_records_add_to_the_total_and_to_the_skipped_counter_with_consumer_and_topic_labels()
    {
        var counters = new ConsumerCounters("counters-spec", "orders");

        var measured = Listen(() =>
        {
            counters.Skipped(3);
            counters.Skipped(0);
            counters.Skipped(2);
        }, BrokerTelemetry.RecordsSkipped);

        Assert.Equal(5, counters.SkippedTotal);
        Assert.Equal([3L, 2L], measured.Select(m => m.Value));
        Assert.All(measured, m => Assert.Equal(
            new Dictionary<string, object?> { [BrokerTelemetry.ConsumerTag] = "counters-spec", [BrokerTelemetry.TopicTag] = "orders" }, m.Labels));
    }

    [Fact]
    public void Every_handler_call_adds_to_the_call_totals_from_any_thread_whether_or_not_the_histogram_is_listened_to()
    {
        var counters = new ConsumerCounters("counters-spec", "orders");
        var tenthOfASecondAgo = System.Diagnostics.Stopwatch.GetTimestamp() - System.Diagnostics.Stopwatch.Frequency / 10;

        Parallel.For(0, 10_000, i => counters.HandlerCalled(tenthOfASecondAgo, failed: i % 2 == 0, timedOut: false));

        var (calls, duration) = counters.HandlerCallTotals;
        Assert.Equal(10_000, calls);
        Assert.InRange(duration, TimeSpan.FromSeconds(1_000), TimeSpan.FromSeconds(100_000)); // each at least 100 ms
    }

    [Fact]
    public void Dead_letters_are_labelled_with_Brokers_reasons_only()
    {
        var counters = new ConsumerCounters("counters-spec", "orders");

        var measured = Listen(() =>
        {
            counters.DeadLettered("timeout");
            counters.DeadLettered("something-unexpected");
        }, BrokerTelemetry.RecordsDeadLettered);

        Assert.Equal(2, counters.DeadLetteredTotal);
        Assert.Equal("timeout", measured[0].Labels[BrokerTelemetry.DeadLetterReasonTag]);
        Assert.False(measured[1].Labels.ContainsKey(BrokerTelemetry.DeadLetterReasonTag)); // no unbounded label values
    }
}
