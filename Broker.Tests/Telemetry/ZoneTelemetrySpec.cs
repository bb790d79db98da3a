using System.Diagnostics.Metrics;
using Broker.Telemetry;
using Broker.Telemetry.Internal;
using Broker.Tests.Support;
using Broker.Zones.Internal;
using Placement = Broker.Telemetry.Internal.ZoneTelemetry.Placement;

namespace Broker.Tests.Telemetry;

/// <summary>
/// The zone instruments: handled records counted by whether their partition was in its home zone (the in-zone
/// share), and the gauges of each zone's score, state and shards, read from a zone view the test publishes.
/// </summary>
public sealed class ZoneTelemetrySpec
{
    private readonly ManualTimeProvider _clock = new();

    private sealed record Measured(string Instrument, double Value, Dictionary<string, object?> Labels);

    /// <summary>The measurements of <paramref name="instruments"/> made during <paramref name="record"/>, for consumer <paramref name="consumer"/> only.</summary>
    private static List<Measured> Listen(string consumer, Action<MeterListener> record, params string[] instruments)
    {
        var measured = new List<Measured>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrokerTelemetry.Name && instruments.Contains(instrument.Name)) l.EnableMeasurementEvents(instrument);
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new Dictionary<string, object?>();
            foreach (var t in tags) labels[t.Key] = t.Value;
            lock (measured) measured.Add(new Measured(instrument.Name, value, labels));
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        listener.Start();
        record(listener);
        // Other tests' consumers report too: only this test's consumer name is ours.
        lock (measured) return measured.Where(m => Equals(m.Labels.GetValueOrDefault(BrokerTelemetry.ConsumerTag), consumer)).ToList();
    }

    [Fact]
    public void Handled_records_count_as_home_when_their_partitions_home_zone_is_this_nodes_zone_and_away_when_it_is_another()
    {
        var view = new FakeZoneView("a").Home("zone-share", "orders/0", "a").Home("zone-share", "orders/1", "b");
        var counters = new ConsumerCounters("zone-share", "orders", new ZoneTelemetry("zone-share", "orders", "a", () => view, _clock));

        var measured = Listen("zone-share", _ =>
        {
            counters.Handled(3, counters.Zones.PartitionOf("orders/0#k=cust-1"));
            counters.Handled(2, counters.Zones.PartitionOf("orders/1#k=cust-2"));
            counters.Handled(1, counters.Zones.PartitionOf("orders/2#n")); // no home zone published for partition 2
        }, BrokerTelemetry.ZoneRecordsHandled);

        Assert.Equal(6, counters.HandledTotal);
        Assert.Equal((3L, 2L, 1L), (counters.Zones.HomeTotal, counters.Zones.AwayTotal, counters.Zones.UnknownTotal));
        Assert.Equal([(3d, "home"), (2d, "away"), (1d, "unknown")], measured.Select(m => (m.Value, (string)m.Labels[BrokerTelemetry.ZonePlacementTag]!)));
        Assert.All(measured, m => Assert.Equal(new Dictionary<string, object?>
        {
            [BrokerTelemetry.ConsumerTag] = "zone-share",
            [BrokerTelemetry.TopicTag] = "orders",
            [BrokerTelemetry.ZoneTag] = "a", // the zone that handled them
            [BrokerTelemetry.ZonePlacementTag] = m.Labels[BrokerTelemetry.ZonePlacementTag],
        }, m.Labels));
    }

    [Fact]
    public void Nodes_without_a_zone_count_the_implicit_zones_partitions_as_home()
    {
        var view = new FakeZoneView().Home("zone-implicit", "orders/4", "");
        var zones = new ZoneTelemetry("zone-implicit", "orders", "", () => view, _clock);

        zones.Handled(5, zones.PartitionOf("orders/4#k=x"));

        Assert.Equal(5, zones.HomeTotal);
    }

    [Fact]
    public void Before_a_view_exists_records_count_as_unknown_and_a_partitions_answer_is_asked_again_after_the_refresh_interval()
    {
        FakeZoneView? view = null;
        var zones = new ZoneTelemetry("zone-refresh", "orders", "a", () => view, _clock);

        zones.Handled(1, zones.PartitionOf("orders/0#k=x"));
        view = new FakeZoneView("a").Home("zone-refresh", "orders/0", "a");
        for (var i = 0; i < 2 * ZoneTelemetry.ClockEvery; i++) zones.Handled(1, zones.PartitionOf("orders/0#k=x")); // the cached answer is still "unknown"
        Assert.Equal(0, zones.HomeTotal);

        // Once the entry is older than the refresh interval, the view is asked again within ClockEvery batches.
        _clock.Advance(ZoneTelemetry.RefreshAfter);
        var batches = 0;
        while (zones.HomeTotal == 0 && batches++ < ZoneTelemetry.ClockEvery) zones.Handled(1, zones.PartitionOf("orders/0#k=x"));
        Assert.Equal(1, zones.HomeTotal);
        zones.Handled(1, zones.PartitionOf("orders/0#k=x"));
        Assert.Equal(2, zones.HomeTotal);
    }

    [Fact]
    public void The_view_is_asked_once_per_partition_and_refresh_interval_not_per_record()
    {
        var view = new FakeZoneView("a").Home("zone-cost", "orders/0", "a").Home("zone-cost", "orders/1", "b");
        var zones = new ZoneTelemetry("zone-cost", "orders", "a", () => view, _clock);

        for (var i = 0; i < 10_000; i++) zones.Handled(1, zones.PartitionOf($"orders/{i % 2}#k=k{i % 100}"));
        Assert.Equal(2, view.HomeZoneCalls);

        _clock.Advance(ZoneTelemetry.RefreshAfter);
        for (var i = 0; i < 10_000; i++) zones.Handled(1, zones.PartitionOf($"orders/{i % 2}#k=k{i % 100}"));
        Assert.Equal(4, view.HomeZoneCalls);
        Assert.Equal((10_000L, 10_000L), (zones.HomeTotal, zones.AwayTotal));
    }

    [Fact]
    public void A_flood_of_partitions_keeps_the_cache_at_its_bound_and_still_counts_every_record()
    {
        var view = new FakeZoneView("a");
        const int partitions = 3 * ZoneTelemetry.MaxCachedPartitions;
        for (var p = 0; p < partitions; p++) view.Home("zone-flood", $"orders/{p}", "a");
        var zones = new ZoneTelemetry("zone-flood", "orders", "a", () => view, _clock);

        Parallel.For(0, partitions, p => zones.Handled(1, zones.PartitionOf($"orders/{p}#k=x")));

        Assert.Equal(ZoneTelemetry.MaxCachedPartitions, zones.CachedPartitions);
        Assert.Equal(partitions, zones.HomeTotal);
        // Cached partitions are not asked again within the interval; those above the bound are asked each time.
        var calls = view.HomeZoneCalls;
        zones.Handled(1, zones.PartitionOf("orders/0#k=x"));
        zones.Handled(1, zones.PartitionOf($"orders/{partitions - 1}#k=x"));
        Assert.Equal(calls + 1, view.HomeZoneCalls);
    }

    [Theory]
    [InlineData("orders/12#k=cust-1", 12)]
    [InlineData("orders/0#owner", 0)]
    [InlineData("orders/7#n", 7)]
    [InlineData("orders/3", 3)]
    [InlineData("orders-eu/1#k=x", -1)]
    [InlineData("other/1#k=x", -1)]
    [InlineData("orders/x#k=1", -1)]
    [InlineData("orders/#k=1", -1)]
    [InlineData("orders", -1)]
    [InlineData("orders/-1#k=x", -1)]
    public void The_partition_is_read_from_the_entity_id_of_the_consumers_topic_and_anything_else_counts_as_unknown(string entityId, int partition)
    {
        var zones = new ZoneTelemetry("zone-parse", "orders", "a", () => null, _clock);

        Assert.Equal(partition, zones.PartitionOf(entityId));
        Assert.Equal(Placement.Unknown, zones.Of(partition));
    }

    [Fact]
    public void The_zone_gauges_report_each_zone_of_the_consumer_with_its_score_state_code_and_shards()
    {
        var since = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var view = new FakeZoneView("a")
        {
            Zones =
            [
                new ZoneStatus("zone-gauges", "a", ZoneState.Draining, since, 31.26, ["akka.tcp://broker@127.0.0.1:4053"], 6, 2),
                new ZoneStatus("zone-gauges", "b", ZoneState.Healthy, since, 100, ["akka.tcp://broker@127.0.0.1:4054"], 6, 10),
                new ZoneStatus("zone-gauges", "c", ZoneState.Recovering, since, 85, [], 0, 0),
                new ZoneStatus("zone-other", "a", ZoneState.Failed, since, 0, [], 12, 0), // another consumer's: not this one's gauges
            ],
        };
        var zones = new ZoneTelemetry("zone-gauges", "orders", "a", () => view, _clock);
        BrokerTelemetry.Observe(zones);
        try
        {
            var measured = Listen("zone-gauges", l => l.RecordObservableInstruments(),
                BrokerTelemetry.ZoneScore, BrokerTelemetry.ZoneStateName, BrokerTelemetry.ZoneShardsHomed, BrokerTelemetry.ZoneShardsHosted);

            Dictionary<string, double> Of(string instrument) =>
                measured.Where(m => m.Instrument == instrument).ToDictionary(m => (string)m.Labels[BrokerTelemetry.ZoneTag]!, m => m.Value);
            Assert.Equal(new Dictionary<string, double> { ["a"] = 31.26, ["b"] = 100, ["c"] = 85 }, Of(BrokerTelemetry.ZoneScore));
            Assert.Equal(new Dictionary<string, double> { ["a"] = 1, ["b"] = 0, ["c"] = 3 }, Of(BrokerTelemetry.ZoneStateName));
            Assert.Equal(new Dictionary<string, double> { ["a"] = 6, ["b"] = 6, ["c"] = 0 }, Of(BrokerTelemetry.ZoneShardsHomed));
            Assert.Equal(new Dictionary<string, double> { ["a"] = 2, ["b"] = 10, ["c"] = 0 }, Of(BrokerTelemetry.ZoneShardsHosted));
            Assert.All(measured, m => Assert.Equal([BrokerTelemetry.ConsumerTag, BrokerTelemetry.TopicTag, BrokerTelemetry.ZoneTag], m.Labels.Keys));
            Assert.All(measured, m => Assert.Equal("orders", m.Labels[BrokerTelemetry.TopicTag]));
        }
        finally
        {
            BrokerTelemetry.Forget(zones);
        }
    }

    [Fact]
    public void The_zone_gauges_report_nothing_while_nothing_is_published()
    {
        var zones = new ZoneTelemetry("zone-none", "orders", "a", () => null, _clock);
        BrokerTelemetry.Observe(zones);
        try
        {
            Assert.Empty(Listen("zone-none", l => l.RecordObservableInstruments(), BrokerTelemetry.ZoneScore, BrokerTelemetry.ZoneStateName));
        }
        finally
        {
            BrokerTelemetry.Forget(zones);
        }
    }
}
