using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Persistence.Internal;
using Broker.Processing.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Persistence;

/// <summary>
/// A partition's watermark store as its owners use it when the partition moves: each owner (on whichever node
/// hosts the partition then) recovers what the owners before it stored, stores its own, and stops its store
/// before it reports the partition drained; a write of an earlier owner that lands late costs the current
/// one nothing. Stores run in Broker nodes (their own ActorSystems and journals, configured as a node
/// configures them) sharing one SQLite file, as the nodes of a cluster share one database.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class PartitionWatermarksSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Watermark Mark(string key, long offset) => new(Encoding.UTF8.GetBytes(key), offset);

    private static string Describe(IEnumerable<Watermark> watermarks) =>
        string.Join(", ", watermarks.Select(w => $"{(w.Key is null ? "<null>" : Encoding.UTF8.GetString(w.Key))}@{w.Offset}").Order());

    [Fact]
    public async Task Watermarks_a_node_stores_after_its_partition_came_back_from_another_node_are_recovered()
    {
        var dir = Directory.CreateTempSubdirectory("broker-watermarks-");
        try
        {
            var config = new Dictionary<string, string?> { ["Broker:Persistence:ConnectionString"] = $"Data Source={Path.Combine(dir.FullName, "watermarks.db")}" };
            var topic = kafka.CreateTopic(1); // the nodes need one to start; nothing is produced to it
            var log = new RecordLog();
            await using var a = await TestNode.StartAsync(kafka, topic, "g-a-" + topic, log, output, config: config, name: "a");
            await using var b = await TestNode.StartAsync(kafka, topic, "g-b-" + topic, log, output, config: config, name: "b");
            var id = PartitionWatermarks.PersistenceIdOf("g-" + topic, "moves", 0);

            // The partition runs on a, moves to b, comes back to a, and moves to b again: one owner at a time.
            Assert.Empty((await StintAsync(a.System, id, Mark("k1", 10))).Watermarks);
            Assert.Equal("k1@10", Describe((await StintAsync(b.System, id, Mark("k2", 20))).Watermarks));
            Assert.Equal("k1@10, k2@20", Describe((await StintAsync(a.System, id, Mark("k3", 30), Mark("k1", 11))).Watermarks));
            var last = await StintAsync(b.System, id);

            Assert.Equal("k1@11, k2@20, k3@30", Describe(last.Watermarks));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_owner_reports_its_partition_drained_only_once_its_watermark_store_has_stopped()
    {
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output);
        var stored = StoredWatermarks.Follow(node.System);
        kafka.Produce(topic, Keyed(0, 100));
        await log.WaitForCountAsync(100, Timeout);
        await Eventually.Until(() => log.Records.All(r => stored.Of(r.Partition, r.Key) >= r.Offset), Timeout, () => "watermarks stored");
        var owner = node.Host.Services.GetRequiredService<BrokerRuntime>().Consumers.Single().Consumer.Owners.Single();
        var store = node.System.ActorSelection(owner.Path / "watermarks");
        Assert.NotNull((await store.Ask<ActorIdentity>(new Identify(1), Timeout)).Subject);

        await owner.Ask<PartitionOwner.Drained>(PartitionOwner.Drain.Instance, Timeout);

        // The owner stays up until its shard stops it; its store may write nothing more.
        Assert.Null((await store.Ask<ActorIdentity>(new Identify(2), Timeout)).Subject);
    }

    [Fact]
    public async Task A_write_a_previous_owner_landed_late_costs_the_current_owner_no_watermark()
    {
        var topic = kafka.CreateTopic(1);
        var group = "g-" + topic;
        var log = new RecordLog();
        // Nothing is committed: after the crash only the watermarks keep the records from running again.
        var config = new Dictionary<string, string?> { ["Broker:Consumer:CommitInterval"] = "1h" };
        Action<BrokerBuilder> crashable = b => b.ConfigureAkka((akka, _) => akka.AddHocon(TestNode.CrashableHocon, HoconAddMode.Prepend));
        var first = await TestNode.StartAsync(kafka, topic, group, log, output, config: config, name: "first", broker: crashable);
        var stored = StoredWatermarks.Follow(first.System);
        kafka.Produce(topic, Keyed(0, 100));
        await log.WaitForCountAsync(100, Timeout);
        await Eventually.Until(() => log.Records.All(r => stored.Of(r.Partition, r.Key) >= r.Offset), Timeout, () => "first 100 watermarks stored");

        // A previous owner's write lands now, taking the sequence number the owner's store writes next: that
        // write fails, and the store stops.
        await StintAsync(first.System, PartitionWatermarks.PersistenceIdOf(group, topic, 0), Mark("late", 0));
        kafka.Produce(topic, Keyed(100, 100));
        await log.WaitForCountAsync(200, Timeout);
        await Eventually.Until(() => log.Records.All(r => stored.Of(r.Partition, r.Key) >= r.Offset), Timeout,
            () => $"every watermark stored; missing: {log.Records.Count(r => stored.Of(r.Partition, r.Key) < r.Offset)}");
        await first.CrashAsync();

        await using var second = await TestNode.StartAsync(kafka, topic, group, log, output, config: config, name: "second");
        await Eventually.Until(() => second.Consumer.Skipped == 200, Timeout, () => $"skipped {second.Consumer.Skipped} of 200");
        Assert.Equal(200, log.Count);
        await first.DisposeAsync();
    }

    /// <summary><paramref name="count"/> records, each of its own key (key-<paramref name="from"/> on).</summary>
    private static IEnumerable<Message<byte[]?, byte[]?>> Keyed(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"key-{i}"),
            Value = Encoding.UTF8.GetBytes($"v-{i}"),
        });

    [Fact]
    public async Task The_SQLite_store_writes_ahead_and_syncs_at_checkpoints_and_a_new_connection_reads_what_it_stored()
    {
        var dir = Directory.CreateTempSubdirectory("broker-watermarks-");
        try
        {
            var file = Path.Combine(dir.FullName, "watermarks.db");
            var config = new Dictionary<string, string?> { ["Broker:Persistence:ConnectionString"] = $"Data Source={file}" };
            var topic = kafka.CreateTopic(1);
            var id = PartitionWatermarks.PersistenceIdOf("g-" + topic, "wal", 0);
            await using (var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output, config: config))
                await StintAsync(node.System, id, Mark("k1", 7));

            // Journal mode is a property of the file: any later connection, Broker's or not, finds it in WAL mode.
            await using (var plain = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}"))
            {
                await plain.OpenAsync();
                await using var mode = plain.CreateCommand();
                mode.CommandText = "PRAGMA journal_mode";
                Assert.Equal("wal", await mode.ExecuteScalarAsync());
            }
            // synchronous is per connection: every connection Broker's store opens sets NORMAL (1).
            await using (var db = new LinqToDB.Data.DataConnection(SqliteStore.Options($"Data Source={file}")))
            {
                await using var synchronous = (await db.OpenDbConnectionAsync(CancellationToken.None)).CreateCommand();
                synchronous.CommandText = "PRAGMA synchronous";
                Assert.Equal(1L, await synchronous.ExecuteScalarAsync());
            }

            await using var again = await TestNode.StartAsync(kafka, topic, "g2-" + topic, new RecordLog(), output, config: config);
            Assert.Equal("k1@7", Describe((await StintAsync(again.System, id)).Watermarks));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// One owner's time with the partition on <paramref name="system"/>: its store recovers, persists
    /// <paramref name="advance"/> (confirmed), and stops. Returns what it recovered.
    /// </summary>
    private static async Task<PartitionWatermarks.Recovered> StintAsync(ActorSystem system, string persistenceId, params Watermark[] advance)
    {
        var inbox = Inbox.Create(system);
        var owner = system.ActorOf(Props.Create(() => new OwnerStandIn(persistenceId, inbox.Receiver)));
        var recovered = Assert.IsType<PartitionWatermarks.Recovered>(await inbox.ReceiveAsync(Timeout));
        if (advance.Length > 0)
        {
            owner.Tell(new PartitionWatermarks.Advance(-1, advance));
            Assert.IsType<PartitionWatermarks.Persisted>(await inbox.ReceiveAsync(Timeout));
        }
        inbox.Watch(owner);
        system.Stop(owner);
        Assert.IsType<Terminated>(await inbox.ReceiveAsync(Timeout));
        return recovered;
    }

    /// <summary>The store's parent, as the partition owner is: relays what the store reports to the test, and the test's commands to the store.</summary>
    private sealed class OwnerStandIn : UntypedActor
    {
        private readonly IActorRef _store;
        private readonly IActorRef _test;

        public OwnerStandIn(string persistenceId, IActorRef test)
        {
            _test = test;
            _store = Context.ActorOf(PartitionWatermarks.Props(persistenceId), "watermarks");
        }

        protected override void OnReceive(object message)
        {
            if (Sender.Equals(_store)) _test.Tell(message);
            else _store.Tell(message);
        }
    }
}
