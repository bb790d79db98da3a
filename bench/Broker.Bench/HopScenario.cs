using System.Collections.Concurrent;
using Akka.Actor;
using Broker.Kafka;
using Broker.Processing.Internal;
using Confluent.Kafka;

namespace Broker.Bench;

/// <summary>
/// The ceiling of any consumer that runs each key in an actor of its own, on this machine: the throughput scenario's
/// backlog (1,000,000 records of 100 bytes over 10,000 keys on 32 partitions) read by the plain loop, and by the same
/// loop with an actor message per record to its key's actor and none of Broker's work. The poll thread hands each
/// partition's records to an actor per partition in batches, as Broker's does (at most 2,000 records polled per round,
/// a round ending early when librdkafka has nothing ready or 5,000 records are in flight); that actor sends each
/// record to its key's actor (a plain child actor, started on first use), which reports it done through a queue the
/// partition shares (one wake-up message per burst). No offsets, no handler pipeline, no sharding, no watermarks.
/// </summary>
internal static class HopScenario
{
    private const int MaxInFlight = 5_000, MaxPollRecords = 2_000;

    public static Task<int> RunAsync(string[] args)
    {
        var rounds = ThroughputScenario.Option(args, "--rounds", 3);
        var warmups = ThroughputScenario.Option(args, "--warmup", 3);
        using var kafka = EmbeddedKafka.Start(3);
        var topic = ThroughputScenario.ProduceBacklog(kafka);

        var raw = new List<double>();
        var hop = new List<double>();
        for (var round = 1 - warmups; round <= rounds; round++)
        {
            if (round == 1)
            {
                raw.Clear();
                hop.Clear();
            }
            Settle();
            var cpu = Resources.Now();
            raw.Add(BenchKafka.RawLoop(kafka.BootstrapServers, topic, ThroughputScenario.Partitions, ThroughputScenario.Records));
            var rawUse = Resources.Now() - cpu;
            Settle();
            cpu = Resources.Now();
            hop.Add(HopLoop(kafka.BootstrapServers, topic));
            var hopUse = Resources.Now() - cpu;
            var name = round >= 1 ? $"round {round}" : $"warm-up round {round + warmups}";
            Console.WriteLine($"{name}: raw {raw[^1]:N0} records/s ({rawUse}), hop {hop[^1]:N0} records/s ({hopUse}, incl. the actor system's start and stop)");
            Console.WriteLine($"  per record: raw {rawUse.PerRecord(ThroughputScenario.Records)}, hop {hopUse.PerRecord(ThroughputScenario.Records)}; " +
                              $"hop from its first record to its last: {_steady.PerRecord(ThroughputScenario.Records - 1)}");
        }
        var rawMedian = ThroughputScenario.Median(raw);
        var hopMedian = ThroughputScenario.Median(hop);
        Console.WriteLine($"median of {rounds}: raw {rawMedian:N0} records/s, hop {hopMedian:N0} records/s");
        Console.WriteLine($"hop: hop/raw = {hopMedian / rawMedian:F2}");
        return Task.FromResult(0);
    }

    /// <summary>
    /// Collects the garbage the previous side left (a stopped actor system's 10,000 actors among it), so that
    /// neither side's GCs pay for the other's heap.
    /// </summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>What the latest hop side used between its first record and its last (no actor system start or stop).</summary>
    private static Resources _steady;

    /// <summary>Reads the backlog through the hop; returns records/s from the first record polled to the last one done.</summary>
    private static double HopLoop(string bootstrap, string topic)
    {
        var system = ActorSystem.Create("hop", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        try
        {
            return HopLoop(bootstrap, topic, system);
        }
        finally
        {
            // Stopping 10,000 actors takes a while; the next round's plain loop must not share the cores with it.
            system.Terminate().Wait(TimeSpan.FromMinutes(1));
        }
    }

    private static double HopLoop(string bootstrap, string topic, ActorSystem system)
    {
        const int records = ThroughputScenario.Records, partitions = ThroughputScenario.Partitions;
        using var flow = new Flow(records);
        var owners = Enumerable.Range(0, partitions)
            .Select(p => system.ActorOf(Props.Create(() => new PartitionActor(flow)), $"partition-{p}")).ToArray();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(BenchKafka.RawConfig(bootstrap)).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var batches = new List<ConsumeResult<byte[], byte[]>>?[partitions];
        var clock = new System.Diagnostics.Stopwatch();
        var atFirst = default(Resources);
        long taken = 0;
        var polled = 0;

        void Flush()
        {
            for (var p = 0; p < partitions; p++)
            {
                if (batches[p] is not { } batch) continue;
                owners[p].Tell(batch);
                batches[p] = null;
            }
            polled = 0;
        }

        while (taken < records)
        {
            if (taken - flow.Completed >= MaxInFlight)
            {
                Flush();
                flow.WaitForRoom(taken - MaxInFlight);
                continue;
            }
            var r = consumer.Consume(taken == 0 ? 30_000 : 0);
            if (r is null)
            {
                if (taken == 0) throw new TimeoutException("no record within 30 s");
                Flush();
                r = consumer.Consume(100);
                if (r is null) continue;
            }
            if (taken == 0)
            {
                atFirst = Resources.Now();
                clock.Start();
            }
            (batches[r.Partition.Value] ??= new List<ConsumeResult<byte[], byte[]>>(64)).Add(r);
            taken++;
            if (++polled == MaxPollRecords) Flush();
        }
        Flush();
        if (!flow.Done.Wait(TimeSpan.FromMinutes(2))) throw new TimeoutException($"{flow.Completed:N0} of {records:N0} records done in 2 minutes");
        _steady = Resources.Now() - atFirst;
        var rate = (records - 1) / clock.Elapsed.TotalSeconds;
        consumer.Close();
        return rate;
    }

    /// <summary>Records done so far, and the poll thread's wait for room under <see cref="MaxInFlight"/>.</summary>
    private sealed class Flow(int target) : IDisposable
    {
        private long _completed;
        private int _waiting;
        private readonly SemaphoreSlim _room = new(0);

        public ManualResetEventSlim Done { get; } = new();
        public long Completed => Volatile.Read(ref _completed);

        public void Complete(int n)
        {
            if (Interlocked.Add(ref _completed, n) >= target) Done.Set();
            if (Interlocked.Exchange(ref _waiting, 0) == 1) _room.Release();
        }

        /// <summary>Poll thread: returns once more than <paramref name="atLeast"/> records are done.</summary>
        public void WaitForRoom(long atLeast)
        {
            Volatile.Write(ref _waiting, 1);
            if (Completed > atLeast) return;
            _room.Wait(TimeSpan.FromMilliseconds(100));
        }

        public void Dispose()
        {
            _room.Dispose();
            Done.Dispose();
        }
    }

    /// <summary>One per partition: sends each record to its key's actor and counts the records they report done.</summary>
    private sealed class PartitionActor(Flow flow) : UntypedActor
    {
        // Keys compared by content, as any per-key router must, with Broker's own comparer.
        private readonly Dictionary<byte[], IActorRef> _keys = new(KeyBytesComparer.Instance);
        private readonly ConcurrentQueue<int> _done = new();
        private int _wakePending;

        protected override void OnReceive(object message)
        {
            if (message is List<ConsumeResult<byte[], byte[]>> batch)
            {
                foreach (var record in batch)
                {
                    if (!_keys.TryGetValue(record.Message.Key, out var key))
                    {
                        key = Context.ActorOf(Props.CreateBy(new KeyActorProducer(this, Self)), "key-" + _keys.Count);
                        _keys.Add(record.Message.Key, key);
                    }
                    key.Tell(record);
                }
                return;
            }
            Volatile.Write(ref _wakePending, 0);
            var n = 0;
            while (_done.TryDequeue(out var done)) n += done;
            if (n > 0) flow.Complete(n);
        }

        /// <summary>A key's actor: reports one record done.</summary>
        public void Report(IActorRef self)
        {
            _done.Enqueue(1);
            if (Interlocked.Exchange(ref _wakePending, 1) == 0) self.Tell(Wake.Instance, ActorRefs.NoSender);
        }
    }

    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed class KeyActor(PartitionActor partition, IActorRef owner) : UntypedActor
    {
        protected override void OnReceive(object message) => partition.Report(owner);
    }

    private sealed class KeyActorProducer(PartitionActor partition, IActorRef owner) : IIndirectActorProducer
    {
        public Type ActorType => typeof(KeyActor);
        public ActorBase Produce() => new KeyActor(partition, owner);
        public void Release(ActorBase actor) { }
    }
}
