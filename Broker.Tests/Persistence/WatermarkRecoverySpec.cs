using System.Text;
using Akka.Hosting;
using Broker.Hosting;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Persistence;

/// <summary>
/// Idempotency watermarks in a real database: a node killed before it committed comes back (a new
/// ActorSystem, a new Kafka consumer) and skips every record it had finished, on SQLite and on PostgreSQL.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class WatermarkRecoverySpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static IEnumerable<Message<byte[]?, byte[]?>> Numbered(int records, int from = 0) =>
        Enumerable.Range(from, records).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"key-{i % 200}"),
            Value = Encoding.UTF8.GetBytes($"v-{i}"),
        });

    [Fact]
    public async Task Watermarks_survive_a_crash_and_restart_on_SQLite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"broker-restart-{Guid.NewGuid():N}.db");
        try
        {
            await Finished_records_are_skipped_after_a_crash(new() { ["Broker:Persistence:ConnectionString"] = $"Data Source={file}" });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Watermarks_survive_a_crash_and_restart_on_PostgreSQL()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await Finished_records_are_skipped_after_a_crash(new()
        {
            ["Broker:Persistence:Provider"] = "postgresql",
            ["Broker:Persistence:ConnectionString"] = postgres.ConnectionString,
        });
    }

    [Fact]
    public async Task A_flood_of_distinct_keys_never_holds_more_watermarks_than_the_cap_plus_the_window_and_loses_nothing()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        // Every record a new key, and commits (which let the table shrink) only every 300 ms: the table
        // fills, releases are held, the window fills, the partition pauses until the next commit.
        var config = new Dictionary<string, string?>
        {
            ["Broker:Consumer:MaxWatermarksPerPartition"] = "200",
            ["Broker:Consumer:CommitInterval"] = "300ms",
        };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, config: config,
            configure: c => c.Options.MaxInFlightPerPartition = 100);
        kafka.Produce(topic, Enumerable.Range(0, 5_000).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"key-{i}"),
            Value = Encoding.UTF8.GetBytes($"v-{i}"),
        }));
        await log.WaitForCountAsync(5_000, Timeout);

        Assert.Equal(5_000, log.Records.Count);
        Assert.Equal(5_000, log.Records.Select(r => r.Offset).Distinct().Count());
        var runtime = node.Host.Services.GetRequiredService<Broker.Hosting.Internal.BrokerRuntime>();
        var partition = (await runtime.Consumers.Single().Consumer.InspectAsync()).Single();
        output.WriteLine($"peak watermarks: {partition.PeakWatermarks}");
        Assert.InRange(partition.PeakWatermarks, 200, 200 + 100);
    }

    [Fact]
    public async Task Records_finished_after_partitions_came_back_to_a_node_are_skipped_after_it_crashes()
    {
        var topic = kafka.CreateTopic(6);
        var group = "g-" + topic;
        var log = new RecordLog();
        // Only hand-offs commit: what n1 finishes after its partitions came back is covered by its watermarks alone.
        var config = new Dictionary<string, string?> { ["Broker:Consumer:CommitInterval"] = "1h" };
        await using var cluster = new TestCluster(kafka, topic, group, log, output, config);
        var n1 = await cluster.StartNodeAsync("n1", crashable: true);
        var stored = StoredWatermarks.Follow(n1.System);
        await Eventually.Until(() => n1.Assigned.Count == 6, Timeout, cluster.Describe);
        kafka.Produce(topic, Numbered(600));
        await log.WaitForCountAsync(600, Timeout);

        var n2 = await cluster.StartNodeAsync("n2");
        await cluster.WaitForMembersAsync(2, Timeout);
        await cluster.WaitForRingPlacementAsync(6, Timeout);
        var moved = n2.Assigned.ToArray();
        Assert.NotEmpty(moved);
        kafka.Produce(topic, Numbered(600, from: 600));
        await log.WaitForCountAsync(1_200, Timeout);
        Assert.Contains(log.Records, r => r.Node == "n2");
        await n2.StopAsync();
        await Eventually.Until(() => n1.Assigned.Count == 6, Timeout, cluster.Describe);

        kafka.Produce(topic, Numbered(600, from: 1_200));
        await log.WaitForCountAsync(1_800, Timeout);
        var handled = log.Records;
        await Eventually.Until(() => handled.All(r => stored.Of(r.Partition, r.Key) >= r.Offset), Timeout,
            () => "every record's watermark stored on n1");
        await n1.CrashAsync();

        // n1's watermarks of the partitions that came back are in the journal after n2's.
        await using var n3 = await TestNode.StartAsync(kafka, topic, group, log, output, name: "n3");
        await Eventually.Until(() => n3.Consumer.Partitions.Count(p => p.Assigned && p.Lag == 0) == 6, Timeout,
            () => "n3 caught up: " + string.Join(" ", n3.Consumer.Partitions.Select(p => $"{p.Partition}[c={p.CommittedOffset} hw={p.HighWatermark}]")));

        var reRuns = log.Records.GroupBy(r => (r.Partition, r.Offset)).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        output.WriteLine($"moved to n2 and back: {string.Join(",", moved)}; skipped by n3: {n3.Consumer.Skipped}; re-runs: {reRuns.Length}");
        Assert.Empty(reRuns);
        Assert.Equal(1_800, log.Count);
        Assert.True(n3.Consumer.Skipped >= 600, $"n3 skipped {n3.Consumer.Skipped}, fewer than the 600 records n1 finished last");
    }

    private async Task Finished_records_are_skipped_after_a_crash(Dictionary<string, string?> store)
    {
        var topic = kafka.CreateTopic(4);
        var group = "g-" + topic;
        var log = new RecordLog();
        // Nothing is committed to Kafka before the crash: every record comes back, and only the watermarks stop it running again.
        var config = new Dictionary<string, string?>(store) { ["Broker:Consumer:CommitInterval"] = "1h" };
        Action<BrokerBuilder> crashable = b => b.ConfigureAkka((akka, _) => akka.AddHocon(TestNode.CrashableHocon, HoconAddMode.Prepend));

        var first = await TestNode.StartAsync(kafka, topic, group, log, output, config: config, name: "first", broker: crashable);
        var stored = StoredWatermarks.Follow(first.System);
        kafka.Produce(topic, Numbered(2_000));
        await log.WaitForCountAsync(2_000, Timeout);
        var handled = log.Records;
        await Eventually.Until(() => handled.All(r => stored.Of(r.Partition, r.Key) >= r.Offset), Timeout,
            () => "every handled record's watermark stored");
        Assert.All(first.Consumer.Partitions, p => Assert.Null(p.CommittedOffset));
        await first.CrashAsync();

        await using var second = await TestNode.StartAsync(kafka, topic, group, log, output, config: config, name: "second");
        await Eventually.Until(() => second.Consumer.Skipped == 2_000, Timeout, () => $"skipped {second.Consumer.Skipped} of 2,000");
        kafka.Produce(topic, Numbered(100, from: 2_000));
        await log.WaitForCountAsync(2_100, Timeout);

        var records = log.Records;
        Assert.Equal(2_100, records.Count);
        Assert.Equal(2_100, records.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.Equal(100, records.Count(r => r.Node == "second"));
        await first.DisposeAsync();
    }
}
