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
