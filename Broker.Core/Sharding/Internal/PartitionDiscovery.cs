using Akka.Actor;
using Akka.Event;
using Broker.Processing.Internal;
using Confluent.Kafka;

namespace Broker.Sharding.Internal;

/// <summary>
/// Cluster singleton, one per consumer: reads the topic's partitions from Kafka metadata and keeps one
/// partition owner running for each, by sending every owner an <see cref="PartitionOwner.Ensure"/>
/// through the sharding region on every tick. That starts the owners of new partitions (added to the
/// topic while running) and restarts any owner that stopped; a running owner ignores it.
/// </summary>
internal sealed class PartitionDiscovery : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    private readonly string _topic;
    private readonly IActorRef _region;
    private readonly Func<IAdminClient> _adminFactory;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IAdminClient? _admin;
    private int _known;
    private bool _reading;

    public PartitionDiscovery(string topic, IActorRef region, Func<IAdminClient> adminFactory, TimeSpan interval)
    {
        _topic = topic;
        _region = region;
        _adminFactory = adminFactory;
        Receive<Tick>(_ => Read());
        Receive<PartitionsRead>(r =>
        {
            _reading = false;
            if (r.Count != _known)
                _log.Info("Topic {0} has {1} partitions (was {2})", _topic, r.Count, _known);
            _known = r.Count;
            for (var p = 0; p < r.Count; p++)
            {
                var shard = EntityIds.Shard(_topic, p);
                _region.Tell(new ShardEnvelope(shard, EntityIds.Owner(shard), new PartitionOwner.Ensure(_topic, p)));
            }
        });
        Receive<Status.Failure>(f =>
        {
            _reading = false;
            _log.Warning("Reading metadata of topic {0} failed: {1}", _topic, f.Cause.Message);
        });
        Timers!.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.Zero, interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string topic, IActorRef region, Func<IAdminClient> adminFactory, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new PartitionDiscovery(topic, region, adminFactory, interval));

    private void Read()
    {
        if (_reading) return;
        _reading = true;
        var admin = _admin ??= _adminFactory();
        var topic = _topic;
        Task.Run(() =>
        {
            var metadata = admin.GetMetadata(topic, MetadataTimeout);
            var t = metadata.Topics.SingleOrDefault(x => x.Topic == topic);
            if (t is null || t.Error.IsError || t.Partitions.Count == 0)
                throw new KafkaException(t?.Error ?? new Confluent.Kafka.Error(ErrorCode.UnknownTopicOrPart, $"topic {topic} not in metadata"));
            return new PartitionsRead(t.Partitions.Count);
        }).PipeTo(Self);
    }

    protected override void PostStop()
    {
        _admin?.Dispose();
        base.PostStop();
    }

    private sealed record PartitionsRead(int Count);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
