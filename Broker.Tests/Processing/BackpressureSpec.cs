using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Broker.Kafka.Internal;
using Broker.Processing.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Processing;

/// <summary>Windows, pause and resume, passivation and the memory guard keep a node bounded whatever the backlog.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BackpressureSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static Message<byte[]?, byte[]?> Record(string key, string value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public async Task Flooding_a_partition_far_past_its_window_never_exceeds_it_pauses_resumes_and_loses_nothing()
    {
        var topic = kafka.CreateTopic(1);
        var overflowsBefore = MailboxOverflow.Count;
        kafka.Produce(topic, Enumerable.Range(0, 5_000).Select(i => Record($"k{i % 50}", $"k{i % 50}:{i / 50}")));
        var log = new RecordLog();
        var sawPaused = false;
        var behavior = new TestBehavior { Before = async (_, ct) => await Task.Delay(1, ct) };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior,
            c => { c.Options.MaxInFlightPerPartition = 100; c.Options.MaxInFlightPerKey = 5; });

        await log.WaitUntilAsync(records =>
        {
            sawPaused |= node.Consumer.Partitions.Any(p => p.Paused);
            return records.Count == 5_000;
        }, Timeout, "all 5,000 records handled");

        var partition = node.Consumer.Partitions.Single();
        Assert.Equal(overflowsBefore, MailboxOverflow.Count);
        Assert.InRange(partition.PeakInFlight, 1, 100); // the tracker never held more than the window
        Assert.True(sawPaused, "the partition was paused while its window was full");
        await Eventually.Until(() => !node.Consumer.Partitions.Single().Paused, Timeout, () => "resumed");
        var records = log.Records;
        Assert.Equal(5_000, records.Select(r => r.Offset).Distinct().Count()); // nothing lost, nothing twice
        foreach (var key in records.GroupBy(r => Encoding.UTF8.GetString(r.Key!)))
            Assert.Equal(Enumerable.Range(0, 100), key.Select(r => int.Parse(r.Value!.Split(':')[1])));
    }

    [Fact]
    public async Task A_partition_paused_longer_than_max_poll_interval_keeps_its_assignment()
    {
        var topic = kafka.CreateTopic(1);
        kafka.Produce(topic, Enumerable.Range(0, 300).Select(i => Record($"k{i % 3}", i.ToString())));
        var log = new RecordLog();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var behavior = new TestBehavior { Before = (_, _) => gate.Task };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior,
            c => { c.Options.MaxInFlightPerPartition = 20; c.Options.MaxInFlightPerKey = 5; },
            new Dictionary<string, string?> { ["Broker:Kafka:max.poll.interval.ms"] = "1000", ["Broker:Kafka:session.timeout.ms"] = "1000" });

        await Eventually.Until(() => node.Consumer.Partitions.SingleOrDefault() is { Paused: true }, Timeout, () => "paused");
        var pausedSince = DateTime.UtcNow;
        // Held paused for over twice max.poll.interval.ms; the assignment must stay as it is meanwhile.
        await Eventually.Until(() => DateTime.UtcNow - pausedSince > TimeSpan.FromSeconds(2.5)
                                     && node.Consumer.Partitions.Single() is { Paused: true, Assigned: true },
            Timeout, () => "still paused and assigned after 2.5 s");
        Assert.Equal(0, log.Count);
        gate.SetResult();

        await log.WaitForCountAsync(300, Timeout);
        Assert.Equal(300, log.Records.Select(r => r.Offset).Distinct().Count());
        Assert.True(node.Consumer.Partitions.Single().Assigned);
    }

    [Fact]
    public async Task Passivation_keeps_live_keyed_consumers_near_the_cap_with_50000_keys()
    {
        const int cap = 2_000, maxInFlight = 400;
        var topic = kafka.CreateTopic(4);
        kafka.Produce(topic, Enumerable.Range(0, 50_000).Select(i => Record($"key-{i}", "v")));
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output,
            configure: c => { c.Options.MaxLiveKeys = cap; c.Options.MaxInFlight = maxInFlight; c.Options.MaxInFlightPerPartition = 100; });
        var region = ClusterSharding.Get(node.Host.Services.GetRequiredService<ActorSystem>()).ShardRegion("broker-" + topic);

        // Sample both our count and the entities the shards really hold while the keys stream through.
        var peakCounted = 0;
        var peakEntities = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peakCounted = Math.Max(peakCounted, node.Consumer.LiveKeys);
                var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10));
                peakEntities = Math.Max(peakEntities, stats.Stats.Values.Sum() - stats.Stats.Count); // minus one owner per shard
                await Task.Delay(20);
            }
        });
        await log.WaitForCountAsync(50_000, Timeout);
        await done.CancelAsync();
        await sampler;
        output.WriteLine($"peak live keyed consumers: counted {peakCounted}, in the shards {peakEntities}");
        // Idle ones are passivated beyond the cap; only keys with records in flight can exceed it.
        Assert.InRange(peakCounted, 1, cap + maxInFlight);
        Assert.InRange(peakEntities, 1, cap + maxInFlight + 500); // + passivations still under way
        Assert.Equal(50_000, log.Records.Select(r => (r.Partition, r.Offset)).Distinct().Count());
    }

    [Fact]
    public async Task The_memory_guard_pauses_every_partition_above_its_limit_and_resumes_when_it_is_raised()
    {
        var topic = kafka.CreateTopic(3);
        kafka.Produce(topic, Enumerable.Range(0, 300).Select(i => Record($"k{i % 30}", i.ToString())));
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, config: new Dictionary<string, string?>
        {
            ["Broker:Memory:PauseAbove"] = "1MB", // any running process is above this
            ["Broker:Memory:ResumeBelow"] = "512KB",
        });

        await Eventually.Until(() => node.Consumer.Partitions.Count == 3 && node.Consumer.Partitions.All(p => p.Paused) && node.Status.Memory.Paused,
            Timeout, () => "every partition paused by the memory guard");
        Assert.Equal(0, log.Count);
        Assert.True(node.Status.Memory.Trips >= 1);

        // Paused partitions fetch nothing, so their lag must come from the brokers: records produced meanwhile count.
        kafka.Produce(topic, Enumerable.Range(300, 60).Select(i => Record($"k{i % 30}", i.ToString())));
        await Eventually.Until(() => node.Consumer.Lag == 360, Timeout, () => $"lag {node.Consumer.Lag} while paused, 360 records waiting");

        node.Host.Services.GetRequiredService<MemoryGuard>().SetLimits(64L << 30, 32L << 30);
        await log.WaitForCountAsync(360, Timeout);
        Assert.False(node.Status.Memory.Paused);
        Assert.Equal(360, log.Records.Select(r => (r.Partition, r.Offset)).Distinct().Count());
    }

    [Fact]
    public async Task A_slow_key_holds_back_only_its_own_records_until_the_partition_window_is_full_of_them()
    {
        var topic = kafka.CreateTopic(1);
        // Even offsets: the slow key; odd offsets: nine fast keys.
        kafka.Produce(topic, Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? Record("slow", i.ToString()) : Record($"fast-{i % 9}", i.ToString())));
        var log = new RecordLog();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var behavior = new TestBehavior { Before = (c, _) => c.KeyString == "slow" ? gate.Task : Task.CompletedTask };
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior,
            c => { c.Options.MaxInFlightPerPartition = 40; c.Options.MaxInFlightPerKey = 5; });

        // The window fills with slow records at about offset 80: every fast record before that is handled.
        await log.WaitUntilAsync(r => r.Count(x => x.Offset < 70) == 35, Timeout, "the 35 fast records below offset 70 handled");
        await Eventually.Until(() => node.Consumer.Partitions.Single() is { Paused: true }, Timeout, () => "paused, its window full of slow records");
        Assert.DoesNotContain(log.Records, r => Encoding.UTF8.GetString(r.Key!) == "slow");
        Assert.InRange(node.Consumer.Partitions.Single().PeakInFlight, 1, 40);

        gate.SetResult();
        await log.WaitForCountAsync(400, Timeout);
        var slow = log.Records.Where(r => Encoding.UTF8.GetString(r.Key!) == "slow").Select(r => r.Offset).ToArray();
        Assert.Equal(slow.Order(), slow); // the slow key still ran in order
    }
}
