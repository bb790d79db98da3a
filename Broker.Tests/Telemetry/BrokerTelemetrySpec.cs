using System.Text;
using Broker.Tests.Support;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Xunit.Abstractions;

namespace Broker.Tests.Telemetry;

/// <summary>Broker's metrics, read through an OpenTelemetry MeterProvider (in-memory exporter) after a run.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BrokerTelemetrySpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Every label Broker may put on a metric: all bounded. Keys and offsets are never among them.</summary>
    private static readonly HashSet<string> AllowedLabels =
        ["broker.consumer", "messaging.destination.name", "messaging.destination.partition.id", "broker.dead_letter.reason", "broker.call.outcome",
         "broker.zone", "broker.zone.placement"];

    /// <summary>One exported point: the metric's name and unit, the point's labels and its value (a histogram's count).</summary>
    private sealed record Point(string Name, string Unit, Dictionary<string, string> Labels, double Value, double[] Bounds);

    [Fact]
    public async Task After_a_run_every_metric_appears_with_its_unit_and_low_cardinality_labels_only()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter("Broker").AddInMemoryExporter(exported).Build();
        var topic = kafka.CreateTopic(2);
        var flakyFailures = 1;
        var behavior = new TestBehavior
        {
            Before = (c, _) => c.Message == "flaky" && Interlocked.Decrement(ref flakyFailures) >= 0
                ? throw new InvalidOperationException("once")
                : Task.CompletedTask,
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Name = "payments";
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
        });
        Message<byte[]?, byte[]?> Record(string key, byte[] value) => new() { Key = Encoding.UTF8.GetBytes(key), Value = value };
        kafka.Produce(topic, [
            .. Enumerable.Range(0, 5).Select(i => Record($"key-{i}", Encoding.UTF8.GetBytes($"ok-{i}"))),
            Record("key-flaky", "flaky"u8.ToArray()),
            Record("key-poison", [0xff, 0xfe]), // not UTF-8: dead-lettered, reason deserialization
        ]);
        await log.WaitForCountAsync(6, Timeout);
        await Eventually.Until(() => node.Consumer.DeadLettered == 1, Timeout, () => "the poison record dead-lettered");

        List<Point> points = [];
        await Eventually.Until(() =>
        {
            meters.ForceFlush();
            points = Latest(exported, topic);
            // Lag reaches 0 once the owners have committed what was handled.
            return points.Count(p => p.Name == "broker.consumer.lag") == 2 && Sum(points, "broker.consumer.lag") == 0 &&
                   Sum(points, "broker.shards") == 2 && Sum(points, "broker.records.in_flight") == 0;
        }, Timeout, () => "the lag gauges of both partitions at 0 and the shard gauge at 2:\n" + string.Join("\n", points));
        foreach (var p in points.OrderBy(p => p.Name)) output.WriteLine($"{p.Name} [{p.Unit}] {string.Join(", ", p.Labels.Select(l => $"{l.Key}={l.Value}"))} = {p.Value}");

        Assert.Equal(7, Sum(points, "broker.records.consumed"));
        Assert.Equal(6, Sum(points, "broker.records.handled"));
        Assert.Equal(6, Sum(points, "broker.zone.records.handled")); // every handled record, by its partition's zone placement
        Assert.Equal(1, Sum(points, "broker.records.failed"));
        Assert.Equal(1, Sum(points, "broker.records.retried"));
        var deadLettered = Assert.Single(points, p => p.Name == "broker.records.dead_lettered");
        Assert.Equal(1, deadLettered.Value);
        Assert.Equal("deserialization", deadLettered.Labels["broker.dead_letter.reason"]);
        Assert.Equal(6, Sum(points, "broker.records.end_to_end_latency"));
        var durations = points.Where(p => p.Name == "broker.handler.duration").ToDictionary(p => p.Labels["broker.call.outcome"], p => p.Value);
        Assert.Equal(new Dictionary<string, double> { ["success"] = 6, ["error"] = 1 }, durations);
        Assert.All(points.Where(p => p.Name is "broker.handler.duration" or "broker.records.end_to_end_latency"), p =>
        {
            Assert.Equal("s", p.Unit);
            Assert.Contains(0.005, p.Bounds); // Broker's bucket advice, not the SDK's millisecond-scale defaults
            Assert.Contains(10, p.Bounds);
        });
        Assert.Equal(["0", "1"], points.Where(p => p.Name == "broker.consumer.lag").Select(p => p.Labels["messaging.destination.partition.id"]).Order());
        Assert.Equal(0, Sum(points, "broker.consumer.lag"));
        Assert.Equal(0, Sum(points, "broker.breaker.state"));
        foreach (var gauge in new[] { "broker.records.in_flight", "broker.partitions.paused", "broker.keyed_consumers.live" })
            Assert.Contains(points, p => p.Name == gauge);
        Assert.All(points, p =>
        {
            Assert.Equal("payments", p.Labels["broker.consumer"]);
            Assert.Empty(p.Labels.Keys.Except(AllowedLabels));
        });
    }

    [Fact]
    public async Task The_lag_gauge_counts_each_partitions_records_not_yet_committed()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter("Broker").AddInMemoryExporter(exported).Build();
        var topic = kafka.CreateTopic(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var behavior = new TestBehavior { Before = (c, ct) => c.Message == "held" ? gate.Task.WaitAsync(ct) : Task.CompletedTask };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior);
        Message<byte[]?, byte[]?> Record(string key, string value) => new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };
        // Partition 0's first record is held in its handler, so nothing of partition 0 can be committed.
        kafka.Produce(topic, [Record("a", "held"), Record("b", "v"), Record("c", "v")], partition: 0);
        kafka.Produce(topic, [Record("d", "v"), Record("e", "v")], partition: 1);
        await log.WaitForCountAsync(4, Timeout);

        Dictionary<string, double> lag = [];
        Dictionary<string, double> Lag()
        {
            meters.ForceFlush();
            return Latest(exported, topic).Where(p => p.Name == "broker.consumer.lag")
                .ToDictionary(p => p.Labels["messaging.destination.partition.id"], p => p.Value);
        }
        await Eventually.Until(() => (lag = Lag()).Count == 2 && lag["0"] == 3 && lag["1"] == 0, Timeout,
            () => "lag 3 on partition 0 and 0 on partition 1, got " + string.Join(", ", lag));

        gate.SetResult();
        await log.WaitForCountAsync(5, Timeout);
        await Eventually.Until(() => (lag = Lag()).Count == 2 && lag.Values.All(v => v == 0), Timeout,
            () => "lag 0 on both partitions once the held record is done, got " + string.Join(", ", lag));
    }

    private static double? Sum(List<Point> points, string name) =>
        points.Any(p => p.Name == name) ? points.Where(p => p.Name == name).Sum(p => p.Value) : null;

    /// <summary>The points of the last export that belong to <paramref name="topic"/>.</summary>
    private static List<Point> Latest(List<MetricSnapshot> exported, string topic)
    {
        var latest = new Dictionary<string, MetricSnapshot>();
        foreach (var m in exported) latest[m.Name] = m;
        var points = new List<Point>();
        foreach (var metric in latest.Values)
        {
            foreach (var point in metric.MetricPoints)
            {
                var labels = new Dictionary<string, string>();
                foreach (var tag in point.Tags) labels[tag.Key] = tag.Value?.ToString() ?? "";
                if (!labels.TryGetValue("messaging.destination.name", out var t) || t != topic) continue;
                var bounds = new List<double>();
                double value;
                switch (metric.MetricType)
                {
                    case MetricType.Histogram:
                        value = point.GetHistogramCount();
                        foreach (var bucket in point.GetHistogramBuckets()) bounds.Add(bucket.ExplicitBound);
                        break;
                    case MetricType.LongSum:
                        value = point.GetSumLong();
                        break;
                    case MetricType.LongGauge:
                        value = point.GetGaugeLastValueLong();
                        break;
                    case MetricType.DoubleGauge:
                        value = point.GetGaugeLastValueDouble();
                        break;
                    default:
                        throw new InvalidOperationException($"{metric.Name}: unexpected metric type {metric.MetricType}");
                }
                points.Add(new Point(metric.Name, metric.Unit, labels, value, bounds.ToArray()));
            }
        }
        return points;
    }
}
