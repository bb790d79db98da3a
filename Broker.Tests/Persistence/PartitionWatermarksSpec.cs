using System.Text;
using Akka.Actor;
using Broker.Persistence.Internal;
using Broker.Tests.Support;
using Xunit.Abstractions;

namespace Broker.Tests.Persistence;

/// <summary>
/// A partition's watermark store as its owners use it when the partition moves: each owner (on whichever node
/// hosts the partition then) recovers what the owners before it stored, stores its own, and stops before the
/// next one starts. Two Broker nodes (their own ActorSystems and journals, configured as a node configures
/// them) share one SQLite file, as the nodes of a cluster share one database.
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
