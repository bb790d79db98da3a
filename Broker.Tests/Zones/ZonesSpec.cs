using System.Collections.Concurrent;
using System.Text;
using Broker.Hosting.Internal;
using Broker.Sharding.Internal;
using Broker.Tests.Support;
using Broker.Zones.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Zones;

/// <summary>
/// Zones on a real cluster: two zones of two nodes each (ActorSystems over TCP on 127.0.0.1, roles
/// <c>zone:a</c> and <c>zone:b</c>) sharing one consumer group on the embedded Kafka, with health facts and
/// placement gossiped by Akka.DistributedData. With both zones healthy each partition is handled in its
/// home zone; when every handler of zone a fails, zone a's breakers open, its score drops, and its
/// partitions leave for zone b within seconds, nothing lost and nothing run twice; once its downstream
/// recovers they come back after the hysteresis time, a few at a time.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ZonesSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RecoverAfter = TimeSpan.FromSeconds(8);
    private const int Partitions = 12;
    private const int Keys = 500;

    /// <summary>
    /// A short recover-after so the test sees failback, a short half-life so the error average forgets the
    /// outage within seconds, and a publication every round so the test sees each round's placement. The
    /// drain runs on the defaults (failover-after 3 s, drain-shards-per-rebalance 10).
    /// </summary>
    private static readonly string Hocon = $$"""
        broker.zone-failover {
          recover-after = {{(int)RecoverAfter.TotalSeconds}}s
          publish-interval = 100ms
          score.half-life = 2s
        }
        """;

    private static readonly string[] Names = ["a1", "a2", "b1", "b2"];

    private static string ZoneOfNode(string node) => node[..1];

    private static IEnumerable<Message<byte[]?, byte[]?>> Numbered(int records, int from = 0) =>
        Enumerable.Range(from, records).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"key-{i % Keys}"),
            Value = Encoding.UTF8.GetBytes($"key-{i % Keys}:{i / Keys}"),
        });

    /// <summary>Every one of the <paramref name="expected"/> records exactly once, each key's in the order produced.</summary>
    private static void AssertOnceInKeyOrder(IReadOnlyList<HandledRecord> records, int expected)
    {
        var reRuns = records.GroupBy(r => (r.Partition, r.Offset)).Where(g => g.Count() > 1).ToArray();
        Assert.True(reRuns.Length == 0, $"{reRuns.Length} records ran twice, e.g. {string.Join(", ", reRuns.Take(5).Select(g => $"{g.Key} on {string.Join("+", g.Select(r => r.Node))}"))}");
        Assert.Equal(expected, records.Count);
        foreach (var key in records.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
            Assert.Equal(Enumerable.Range(0, key.Count()), key.Select(r => int.Parse(r.Value!.Split(':')[1])));
    }

    private static ZoneStatus A(ZonePlacement placement) => placement.Zones.Single(z => z.Zone == "a");

    private static BrokerRuntime Runtime(TestNode node) => node.Host.Services.GetRequiredService<BrokerRuntime>();

    private static DistributedDataZoneView View(TestNode node) => (DistributedDataZoneView)Runtime(node).Zones!;

    private async Task<(TestCluster Cluster, string Consumer)> StartTwoZonesAsync(string topic, RecordLog log,
        Dictionary<string, string?>? config = null, Func<string, TestBehavior>? behavior = null)
    {
        var cluster = new TestCluster(kafka, topic, "g-" + topic, log, output, config, extraHocon: Hocon);
        // a1 first: it is the oldest node, so the shard coordinator (and its placement) runs there.
        foreach (var name in Names)
            await cluster.StartNodeAsync(name, nodeConfig: new Dictionary<string, string?> { ["Broker:Cluster:Zone"] = ZoneOfNode(name) },
                nodeBehavior: behavior?.Invoke(name));
        await cluster.WaitForMembersAsync(Names.Length, Timeout);
        var consumer = Runtime(cluster.Nodes[0]).Consumers.Single().Name;
        return (cluster, consumer);
    }

    /// <summary>Waits until every partition has a published home zone and is fetched by one node, of that zone.</summary>
    private static Task WaitForHomePlacementAsync(TestCluster cluster, TestNode viewer, string consumer, string topic) =>
        Eventually.Until(() => Enumerable.Range(0, Partitions).All(p =>
                View(viewer).HomeZone(consumer, EntityIds.Shard(topic, p)) is { } home
                && cluster.Running.Where(n => n.Assigned.Contains(p)).Select(n => ZoneOfNode(n.Name)).SequenceEqual([home])),
            Timeout, () => "every partition in its home zone: homes " + string.Join(",", Enumerable.Range(0, Partitions)
                .Select(p => $"{p}:{View(viewer).HomeZone(consumer, EntityIds.Shard(topic, p)) ?? "?"}")) + "; now " + cluster.Describe());

    [Fact]
    public async Task With_every_zone_healthy_at_least_999_in_1000_records_are_handled_in_their_partitions_home_zone()
    {
        var topic = kafka.CreateTopic(Partitions);
        var log = new RecordLog();
        var (cluster, consumer) = await StartTwoZonesAsync(topic, log);
        await using var _ = cluster;
        // Any node reads the placement: here the youngest, not the coordinator's.
        var viewer = cluster.Nodes[^1];
        await WaitForHomePlacementAsync(cluster, viewer, consumer, topic);

        kafka.Produce(topic, Numbered(10_000));
        await cluster.Explain(log.WaitForCountAsync(10_000, Timeout));

        var records = log.Records;
        var inHomeZone = records.Count(r => View(viewer).HomeZone(consumer, EntityIds.Shard(topic, r.Partition)) == ZoneOfNode(r.Node));
        var share = (double)inHomeZone / records.Count;
        output.WriteLine($"zones: in-zone share = {share:P2} ({inHomeZone} of {records.Count} records handled in their partition's home zone)");
        Assert.True(share >= 0.999, $"only {share:P2} of the records were handled in their home zone");
        // The view converges to the coordinator's latest round: both zones healthy, each hosting what it homes.
        await Eventually.Until(() => View(viewer).Zones.Count(z => z.Consumer == consumer && z.ShardsHosted == z.ShardsHomed) == 2,
            Timeout, () => "the view shows every zone hosting its home partitions: " + string.Join("; ", View(viewer).Zones));
        var zones = View(viewer).Zones.Where(z => z.Consumer == consumer).ToArray();
        Assert.Equal(["a", "b"], zones.Select(z => z.Zone));
        Assert.All(zones, z => Assert.Equal((ZoneState.Healthy, 100.0), (z.State, z.Score)));
        Assert.All(zones, z => Assert.InRange(z.ShardsHomed, 1, Partitions - 1)); // both zones are home to some
        Assert.All(zones, z => Assert.Equal(
            cluster.Nodes.Where(n => ZoneOfNode(n.Name) == z.Zone).Select(n => n.Address.ToString()).Order(StringComparer.Ordinal), z.Nodes));
        AssertOnceInKeyOrder(records, 10_000);
    }

    [Fact]
    public async Task A_zone_whose_breakers_all_open_hosts_no_partition_within_10s_and_gets_them_back_gradually_after_recover_after()
    {
        var topic = kafka.CreateTopic(Partitions);
        var log = new RecordLog();
        var outage = new Outage();
        var config = new Dictionary<string, string?>
        {
            // Records keep their attempts through the outage (a refused call uses none), so none is dead-lettered.
            ["Broker:Consumer:MaxAttempts"] = "1000",
            ["Broker:Consumer:RetryMaxDelay"] = "1s",
            ["Broker:Consumer:Breaker:MinimumCalls"] = "10",
            ["Broker:Consumer:Breaker:OpenDuration"] = "2s",
        };
        TestBehavior Behavior(string node) => new()
        {
            Before = (_, ct) => outage.On && ZoneOfNode(node) == "a"
                ? Task.FromException(new InvalidOperationException("zone a's downstream is down"))
                : Task.Delay(1, ct),
        };
        var (cluster, consumer) = await StartTwoZonesAsync(topic, log, config, Behavior);
        await using var _ = cluster;
        var coordinator = cluster.Nodes[0]; // a1: its replica has every publication first
        await WaitForHomePlacementAsync(cluster, coordinator, consumer, topic);
        var homeOfA = Enumerable.Range(0, Partitions)
            .Where(p => View(coordinator).HomeZone(consumer, EntityIds.Shard(topic, p)) == "a").ToHashSet();
        var zoneA = cluster.Nodes.Where(n => ZoneOfNode(n.Name) == "a").ToArray();
        await using var watch = new PlacementWatch(() => View(coordinator).Placement(consumer),
            () => zoneA.SelectMany(n => n.Assigned).ToHashSet());

        kafka.Produce(topic, Numbered(2_000));
        await cluster.Explain(log.WaitForCountAsync(2_000, Timeout));

        // Zone a's downstream fails: its handlers throw, its breakers open, its partitions pause.
        outage.On = true;
        var outageAt = DateTimeOffset.UtcNow;
        kafka.Produce(topic, Numbered(2_000, from: 2_000));
        await Eventually.Until(() => watch.Latest is { } latest && A(latest) is { State: ZoneState.Failed, ShardsHosted: 0 }
                                     && watch.FirstAt(fetched => fetched.Count == 0, after: outageAt) is not null,
            Timeout, () => $"zone a drained: {(watch.Latest is { } l ? A(l) : null)}; now {cluster.Describe()}");
        // Zone a's downstream recovers at once: left failing, the drained zone would soon look healthy again
        // (its breakers half-open with nothing to try) and take partitions back to try them.
        outage.On = false;
        var recoveredAt = DateTimeOffset.UtcNow;

        var history = watch.Published;
        var crossing = history.First(p => p.PublishedAt > outageAt && A(p).Score < 50);
        var lastAbove = history.Last(p => p.Round < crossing.Round);
        var hostsNone = history.First(p => p.Round > crossing.Round && A(p).ShardsHosted == 0).PublishedAt;
        var fetchesNone = watch.FirstAt(fetched => fetched.Count == 0, after: outageAt)!.Value;
        var drained = hostsNone > fetchesNone ? hostsNone : fetchesNone;
        var drainSpan = drained - crossing.PublishedAt;
        var drainBound = drained - lastAbove.PublishedAt; // the crossing came after the last score seen above
        output.WriteLine($"zones: drain_seconds = {drainSpan.TotalSeconds:F1} (score {A(crossing).Score:F1} < 50 at round {crossing.Round} -> " +
                         $"zone a hosts no shard; at most {drainBound.TotalSeconds:F1} s from the last score seen above; " +
                         $"the score crossed {(crossing.PublishedAt - outageAt).TotalSeconds:F1} s into the outage)");
        // Within 10 s although the drain timeout is 20 s here: the records waiting on zone a's open breakers
        // did not hold the hand-offs up.
        Assert.True(drainBound <= TimeSpan.FromSeconds(10), $"zone a took {drainBound.TotalSeconds:F1} s to drain");
        // Zone b handled zone a's share, the records that waited on its open breakers included.
        await cluster.Explain(log.WaitForCountAsync(4_000, Timeout));

        // Records keep flowing while zone a's partitions come back.
        var produced = 4_000;
        using var producing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            // Load, not synchronization: 100 records every 250 ms until the partitions are home.
            while (!producing.IsCancellationRequested)
            {
                kafka.Produce(topic, Numbered(100, from: produced));
                produced += 100;
                await Task.Delay(250, CancellationToken.None);
            }
        });
        await Eventually.Until(() => watch.Latest is { } latest && A(latest) is { State: ZoneState.Healthy, ShardsHosted: var hosted } && hosted == homeOfA.Count
                                     && watch.FirstAt(fetched => homeOfA.IsSubsetOf(fetched), after: recoveredAt) is not null,
            Timeout, () => $"zone a's partitions home again: {(watch.Latest is { } l ? A(l) : null)}; now {cluster.Describe()}");
        var homeAt = DateTimeOffset.UtcNow;
        await producing.CancelAsync();
        await producer;
        await cluster.Explain(log.WaitForCountAsync(produced, Timeout));

        history = watch.Published;
        var recovering = history.First(p => p.PublishedAt > recoveredAt && A(p).State == ZoneState.Recovering);
        var recoveringSince = A(recovering).Since;
        var lastBelow = history.Last(p => p.PublishedAt < recoveringSince && A(p).Score < 80);
        var firstBack = watch.FirstAt(fetched => fetched.Overlaps(homeOfA), after: recoveredAt)!.Value;
        var allHome = history.First(p => p.Round >= recovering.Round && A(p).ShardsHosted == homeOfA.Count);
        output.WriteLine($"zones: failback_seconds = {(homeAt - recoveredAt).TotalSeconds:F1} (downstream recovered -> all {homeOfA.Count} home partitions back; " +
                         $"first back after {(firstBack - recoveredAt).TotalSeconds:F1} s; score at or above 80 from at least " +
                         $"{(recoveringSince - lastBelow.PublishedAt).TotalSeconds:F1} s before Recovering; " +
                         $"{allHome.Round - recovering.Round} rounds from Recovering to all home; " +
                         $"{cluster.Nodes.Sum(n => n.Consumer.Skipped)} records finished before a move skipped by their watermarks)");
        // Hysteresis: nothing came back before the zone recovered, and it recovered only after its score
        // had stayed at or above the recovery threshold for recover-after.
        Assert.True(firstBack >= recoveringSince, $"a partition came back at {firstBack:O}, before the zone recovered at {recoveringSince:O}");
        Assert.True(recoveringSince - lastBelow.PublishedAt >= RecoverAfter,
            $"recovered {(recoveringSince - lastBelow.PublishedAt).TotalSeconds:F1} s after a score below 80");
        // Gradually: at most failback-shards-per-rebalance (1) a round, plus the two hand-offs that may be under way.
        var comingBack = homeOfA.Count - A(recovering).ShardsHosted;
        Assert.True(comingBack <= allHome.Round - recovering.Round + 2,
            $"{comingBack} partitions came back in {allHome.Round - recovering.Round} rounds");
        AssertOnceInKeyOrder(log.Records, produced);
        Assert.All(cluster.Nodes, n => Assert.Equal(0, n.Consumer.DeadLettered));
    }

    /// <summary>Whether zone a's downstream fails, read by every handler.</summary>
    private sealed class Outage
    {
        private volatile bool _on;

        public bool On
        {
            get => _on;
            set => _on = value;
        }
    }

    /// <summary>
    /// A monitor, not a synchronisation: every 20 ms it records each placement publication a node's replica
    /// shows, and the partitions zone a's nodes fetch, with when it saw them.
    /// </summary>
    private sealed class PlacementWatch : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ZonePlacement> _published = new();
        private readonly ConcurrentQueue<(DateTimeOffset At, HashSet<int> Fetched)> _fetched = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public PlacementWatch(Func<ZonePlacement?> placement, Func<HashSet<int>> fetched)
        {
            _loop = Task.Run(async () =>
            {
                long round = 0;
                while (!_stop.IsCancellationRequested)
                {
                    if (placement() is { } p && p.Round != round)
                    {
                        round = p.Round;
                        _published.Enqueue(p);
                    }
                    _fetched.Enqueue((DateTimeOffset.UtcNow, fetched()));
                    await Task.Delay(20, CancellationToken.None);
                }
            });
        }

        public IReadOnlyList<ZonePlacement> Published => _published.ToArray();

        public ZonePlacement? Latest => _published.LastOrDefault();

        /// <summary>When the partitions fetched first satisfied <paramref name="condition"/> after <paramref name="after"/>; null if not yet.</summary>
        public DateTimeOffset? FirstAt(Func<HashSet<int>, bool> condition, DateTimeOffset after) =>
            _fetched.Where(f => f.At > after && condition(f.Fetched)).Select(f => (DateTimeOffset?)f.At).FirstOrDefault();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
        }
    }
}
