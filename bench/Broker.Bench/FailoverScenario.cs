using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Broker.Hosting.Internal;
using Broker.Processing;
using Broker.Zones.Internal;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Broker.Bench;

/// <summary>
/// Zone failover under steady load: four nodes in this process (Akka over TCP on 127.0.0.1), n1 and n2 in zone
/// a, n3 and n4 in zone b, consuming one topic of 16 partitions from an embedded Kafka in a process of its own,
/// while a producer writes a steady 500 records/s over 1,000 keys. Once placement has settled (every partition
/// in its home zone), zone a's downstream fails: the handler throws on zone-a nodes only, their circuit
/// breakers open and zone a's health score falls. The downstream heals 20 s after zone a hosts no partition.
/// Measured: drain time (from the first published score of zone a below the failover threshold to the moment
/// neither zone-a node fetches any partition), failback time (from healing to zone a hosting every partition
/// whose home it is again, all zones Healthy), records lost (produced and neither handled nor dead-lettered:
/// must be 0), re-runs (records handled successfully more than once), and the in-zone share (records handled
/// on a node of their partition's home zone, outside the outage). Ends with <c>failover: drain_seconds = X</c>.
/// </summary>
internal static class FailoverScenario
{
    private const string Topic = "failover";
    private const int Partitions = 16, Keys = 1_000, RatePerSecond = 500;
    private static readonly TimeSpan Heal = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    public static async Task<int> RunAsync(string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("broker-bench-failover-");
        var nodes = new List<Node>();
        using var kafka = KafkaProcess.Start([Topic], Partitions); // outlives the nodes, which commit as they stop
        string? result = null;
        try
        {
            Console.WriteLine($"embedded Kafka in process {kafka.Pid} at {kafka.Bootstrap}; {Partitions} partitions; 2 zones x 2 nodes");
            var ledger = new Ledger();
            var outage = new Outage();
            var database = Path.Combine(dir.FullName, "watermarks.db");
            foreach (var (name, zone) in new[] { ("n1", "a"), ("n2", "a"), ("n3", "b"), ("n4", "b") })
            {
                var config = new Dictionary<string, string?>
                {
                    ["Broker:Persistence:ConnectionString"] = $"Data Source={database}",
                    ["Broker:Cluster:NodeName"] = name,
                    ["Broker:Cluster:Zone"] = zone,
                };
                if (nodes.Count > 0) config["Broker:Cluster:SeedNodes:0"] = Akka.Cluster.Cluster.Get(nodes[0].System).SelfAddress.ToString();
                var identity = new NodeIdentity(name, zone);
                var host = await BenchNode.StartAsync<ZoneDownstreamHandler>(kafka.Bootstrap, Topic, "failover",
                    s => s.AddSingleton(identity).AddSingleton(ledger).AddSingleton(outage), config: config);
                nodes.Add(new Node(name, zone, host));
            }
            var observer = nodes[^1]; // zone b: its view stays fed through zone a's outage
            var consumer = observer.Runtime.Consumers.Single().Name;
            var threshold = ZoneSettings.FromConfig(observer.System.Settings.Config).FailoverThreshold;
            var clock = Stopwatch.StartNew();

            await Until("every partition fetched by one node of its home zone, unchanged for 5 s", () => HomePlacement(nodes, consumer), clock);
            ledger.Counting = true;
            using var producer = new SteadyProducer(kafka.Bootstrap);
            await Task.Delay(TimeSpan.FromSeconds(10)); // steady state before the outage: the in-zone share's sample

            var homedInA = observer.View.Zones.Single(z => z.Consumer == consumer && z.Zone == "a").ShardsHomed;
            outage.Failing = true;
            ledger.OutsideOutage = false;
            var outageAt = clock.Elapsed;
            Console.WriteLine($"{At(clock)} zone a's downstream fails (zone a is home to {homedInA} partitions)");
            TimeSpan? crossed = null, drained = null;
            while (drained is null)
            {
                if (clock.Elapsed > Limit) throw new TimeoutException($"zone a was not drained within {Limit}: {Describe(nodes, consumer)}");
                var a = observer.View.Zones.SingleOrDefault(z => z.Consumer == consumer && z.Zone == "a");
                if (crossed is null && a is not null && a.Score < threshold)
                {
                    crossed = clock.Elapsed;
                    Console.WriteLine($"{At(clock)} zone a's score {a.Score:F1} is below the failover threshold {threshold}");
                }
                if (crossed is not null && nodes.Where(n => n.Zone == "a").All(n => n.Assigned().Length == 0))
                {
                    drained = clock.Elapsed;
                    Console.WriteLine($"{At(clock)} zone a fetches no partition: {Describe(nodes, consumer)}");
                }
                await Task.Delay(100);
            }

            await Task.Delay(Heal);
            outage.Failing = false;
            var healedAt = clock.Elapsed;
            Console.WriteLine($"{At(clock)} zone a's downstream heals");
            await Until("zone a fetches every partition whose home it is, every zone Healthy", () =>
            {
                var zones = observer.View.Zones.Where(z => z.Consumer == consumer).ToList();
                var a = zones.SingleOrDefault(z => z.Zone == "a");
                return a is not null && zones.All(z => z.State == ZoneState.Healthy)
                       && nodes.Where(n => n.Zone == "a").Sum(n => n.Assigned().Length) == a.ShardsHomed && HomePlacement(nodes, consumer);
            }, clock, settle: false);
            var failback = clock.Elapsed - healedAt;
            ledger.OutsideOutage = true;
            Console.WriteLine($"{At(clock)} zone a is home again: {Describe(nodes, consumer)}");

            await Task.Delay(TimeSpan.FromSeconds(5));
            var produced = producer.Stop();
            await Until("every produced record handled or dead-lettered", () =>
                ledger.Distinct + nodes.Sum(n => n.Status().DeadLettered) >= produced, clock, settle: false, limit: TimeSpan.FromMinutes(1));
            kafka.AssertNothingDropped();

            var deadLettered = nodes.Sum(n => n.Status().DeadLettered);
            var lost = produced - ledger.Distinct - deadLettered;
            var (inZone, sample) = ledger.InZone(observer.View, consumer);
            Console.WriteLine($"produced {produced:N0}; handled {ledger.Distinct:N0} distinct records, {ledger.Calls:N0} successful calls; " +
                              $"dead-lettered {deadLettered:N0}; failed calls {nodes.Sum(n => n.Status().Failed):N0}");
            Console.WriteLine($"records lost: {lost}");
            Console.WriteLine($"re-runs: {ledger.ReRuns}");
            Console.WriteLine($"outage began at {outageAt.TotalSeconds:F1} s; score crossed the threshold {(crossed!.Value - outageAt).TotalSeconds:F1} s later");
            Console.WriteLine($"failback: {failback.TotalSeconds:F1} s from healing to zone a hosting its {homedInA} home partitions (recover-after plus gradual moves)");
            Console.WriteLine($"in-zone share outside the outage: {inZone:P2} of {sample:N0} records");
            if (lost != 0 || ledger.ReRuns != 0)
                Console.WriteLine($"WARNING: {lost} records lost, {ledger.ReRuns} re-run");
            result = $"failover: drain_seconds = {(drained!.Value - crossed.Value).TotalSeconds:F1}";
            return lost == 0 && ledger.ReRuns == 0 ? 0 : 1;
        }
        finally
        {
            // Youngest first, so the oldest (the singletons' host) leaves last and nothing migrates twice.
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                await nodes[i].Host.StopAsync();
                nodes[i].Host.Dispose();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // let the file go before deleting it
            dir.Delete(recursive: true);
            // Last, after the nodes' shutdown logging: scripts read the scenario's figure from the last line.
            if (result is not null) Console.WriteLine(result);
        }
    }

    private static string At(Stopwatch clock) => $"[{clock.Elapsed.TotalSeconds,6:F1} s]";

    /// <summary>Every partition is fetched by exactly one node, and that node is in the partition's published home zone.</summary>
    private static bool HomePlacement(List<Node> nodes, string consumer)
    {
        var fetchers = nodes.SelectMany(n => n.Assigned().Select(p => (Partition: p, n.Zone))).ToList();
        if (fetchers.Count != Partitions || fetchers.Select(f => f.Partition).Distinct().Count() != Partitions) return false;
        var view = nodes[^1].View;
        return fetchers.All(f => view.HomeZone(consumer, $"{Topic}/{f.Partition}") == f.Zone);
    }

    private static string Describe(List<Node> nodes, string consumer)
    {
        var zones = nodes[^1].View.Zones.Where(z => z.Consumer == consumer)
            .Select(z => $"{z.Zone}:{z.State} score {z.Score:F0} hosts {z.ShardsHosted}/{z.ShardsHomed}");
        return string.Join(", ", zones) + " | " + string.Join(" ", nodes.Select(n => $"{n.Name}:[{string.Join(",", n.Assigned())}]"));
    }

    /// <summary>Waits until <paramref name="done"/> holds (for 5 s on end when <paramref name="settle"/>), polling every 250 ms.</summary>
    private static async Task Until(string what, Func<bool> done, Stopwatch clock, bool settle = true, TimeSpan? limit = null)
    {
        var deadline = clock.Elapsed + (limit ?? Limit);
        var since = (TimeSpan?)null;
        while (true)
        {
            if (done()) since ??= clock.Elapsed;
            else since = null;
            if (since is { } s && (!settle || clock.Elapsed - s >= Settled)) return;
            if (clock.Elapsed > deadline) throw new TimeoutException($"not reached in time: {what}");
            await Task.Delay(250);
        }
    }

    private sealed record Node(string Name, string Zone, IHost Host)
    {
        public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();
        public BrokerRuntime Runtime => Host.Services.GetRequiredService<BrokerRuntime>();
        public IZoneView View => Runtime.Zones ?? throw new InvalidOperationException($"{Name} has not started Broker");
        public Broker.Inspection.ConsumerStatus Status() => Host.Status();
        public int[] Assigned() => Status().Partitions.Where(p => p.Assigned).Select(p => p.Partition).Order().ToArray();
    }

    /// <summary>Which node and zone a handler runs on.</summary>
    private sealed record NodeIdentity(string Name, string Zone);

    /// <summary>Whether zone a's downstream is failing.</summary>
    private sealed class Outage
    {
        private volatile bool _failing;
        public bool Failing { get => _failing; set => _failing = value; }
    }

    /// <summary>Successful handler calls per record (partition, offset), with the zone that handled each, from when counting starts.</summary>
    private sealed class Ledger
    {
        private readonly ConcurrentDictionary<(int Partition, long Offset), int> _calls = new();
        private readonly ConcurrentQueue<(int Partition, string Zone)> _steady = new();
        private volatile bool _counting, _outside = true;
        private long _total;

        public bool Counting { get => _counting; set => _counting = value; }
        public bool OutsideOutage { get => _outside; set => _outside = value; }
        public long Distinct => _calls.Count;
        public long Calls => Interlocked.Read(ref _total);
        public int ReRuns => _calls.Count(c => c.Value > 1);

        public void Handled(int partition, long offset, string zone)
        {
            if (!_counting) return;
            _calls.AddOrUpdate((partition, offset), 1, (_, n) => n + 1);
            Interlocked.Increment(ref _total);
            if (_outside) _steady.Enqueue((partition, zone));
        }

        /// <summary>The share of records handled outside the outage on a node of their partition's home zone, and how many there were.</summary>
        public (double Share, int Sample) InZone(IZoneView view, string consumer)
        {
            var sample = _steady.ToArray();
            var home = sample.Count(s => view.HomeZone(consumer, $"{Topic}/{s.Partition}") == s.Zone);
            return (sample.Length == 0 ? 0 : (double)home / sample.Length, sample.Length);
        }
    }

    /// <summary>Zone a's downstream: fails on zone-a nodes while the outage lasts, else takes 1 ms.</summary>
    private sealed class ZoneDownstreamHandler(NodeIdentity node, Ledger ledger, Outage outage) : IMessageHandler<byte[]>
    {
        public async Task HandleAsync(ConsumeContext<byte[]> context, CancellationToken cancellationToken)
        {
            if (outage.Failing && node.Zone == "a") throw new InvalidOperationException($"zone a's downstream is down ({node.Name})");
            await Task.Delay(1, cancellationToken);
            ledger.Handled(context.Partition, context.Offset, node.Zone);
        }
    }

    /// <summary>Produces <see cref="RatePerSecond"/> records a second over <see cref="Keys"/> keys on its own thread until stopped.</summary>
    private sealed class SteadyProducer : IDisposable
    {
        private readonly IProducer<byte[], byte[]> _producer;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _delivered, _failed;

        public SteadyProducer(string bootstrap)
        {
            _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
            _thread = new Thread(Run) { IsBackground = true, Name = "failover-producer" };
            _thread.Start();
        }

        private void Run()
        {
            var keys = Enumerable.Range(0, Keys).Select(k => System.Text.Encoding.UTF8.GetBytes($"key-{k}")).ToArray();
            var value = new byte[100];
            var clock = Stopwatch.StartNew();
            long sent = 0;
            while (!_stop)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * RatePerSecond);
                for (; sent < due; sent++)
                    _producer.Produce(Topic, new Message<byte[], byte[]> { Key = keys[sent % Keys], Value = value }, r =>
                    {
                        if (r.Error.IsError) Interlocked.Increment(ref _failed);
                        else Interlocked.Increment(ref _delivered);
                    });
                _producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }

        /// <summary>Stops producing, waits for every delivery report and returns the records delivered.</summary>
        public long Stop()
        {
            _stop = true;
            _thread.Join();
            _producer.Flush(TimeSpan.FromSeconds(30));
            if (Interlocked.Read(ref _failed) > 0) throw new InvalidOperationException($"{_failed} records were not delivered");
            return Interlocked.Read(ref _delivered);
        }

        public void Dispose()
        {
            if (!_stop) Stop();
            _producer.Dispose();
        }
    }
}
