using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Broker.Kafka.Internal;
using Broker.Persistence.Internal;
using Broker.Processing.Internal;
using Broker.Resilience;
using Broker.Resilience.Internal;
using Broker.Sharding.Internal;
using Broker.Telemetry;
using Broker.Telemetry.Internal;
using Broker.Zones.Internal;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting.Internal;

/// <summary>
/// Starts Broker inside the ActorSystem: for each consumer, this node's Kafka consumer, the sharding
/// region whose entities are the partition owners and keyed consumers, and the partition discovery
/// singleton; and hooks draining into Akka's CoordinatedShutdown so a stopping node stops fetching,
/// finishes what it accepted and commits before its shards hand off.
/// </summary>
internal sealed class BrokerRuntime : IDisposable
{
    private readonly BrokerConfiguration _configuration;
    private readonly BrokerDefinition _definition;
    private readonly KafkaEndpoint _kafka;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly List<ConsumerRuntime> _consumers = new();

    public BrokerRuntime(BrokerConfiguration configuration, BrokerDefinition definition, KafkaEndpoint kafka,
        MemoryGuard memory, IServiceProvider services, ILoggerFactory loggers)
    {
        Memory = memory;
        _configuration = configuration;
        _definition = definition;
        _kafka = kafka;
        _services = services;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Broker");
    }

    public IReadOnlyList<ConsumerRuntime> Consumers => _consumers;

    public KafkaEndpoint Kafka => _kafka;

    public MemoryGuard Memory { get; }

    /// <summary>Zone placement as this node knows it; null until the ActorSystem has started Broker.</summary>
    public IZoneView? Zones { get; private set; }

    /// <summary>Called by Akka.Hosting when it builds the ActorSystem.</summary>
    public void ConfigureAkka(AkkaConfigurationBuilder akka, IServiceProvider services)
    {
        akka.AddHocon(NodeConfig(), HoconAddMode.Prepend);
        akka.AddHocon(BrokerSettings.Reference, HoconAddMode.Append);
        akka.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory(_loggers);
        });
        if (_configuration.Consumers.Any(c => c.Settings.Watermarks))
        {
            var s = _configuration.Settings;
            // A plugin of Broker's own ("broker"), not the default one, so a service's own persistence is untouched.
            if (s.PersistenceProvider == "postgresql")
                akka.WithSqlPersistence(s.PersistenceConnectionString, LinqToDB.ProviderName.PostgreSQL,
                    pluginIdentifier: "broker", isDefaultPlugin: false, autoInitialize: true);
            else
                akka.WithSqlPersistence(SqliteStore.Options(s.PersistenceConnectionString),
                    pluginIdentifier: "broker", isDefaultPlugin: false, autoInitialize: true);
        }
        foreach (var configure in _definition.AkkaConfigurators) configure(akka, services);
        akka.AddStartup((system, _) => Start(system));
    }

    private Config NodeConfig()
    {
        var s = _configuration.Settings;
        var drain = _configuration.Consumers.Max(c => c.Settings.DrainTimeout) + TimeSpan.FromSeconds(5);
        var seeds = string.Join(", ", s.SeedNodes.Select(n => $"\"{n}\""));
        var ownerMailbox = 2 * _configuration.Consumers.Max(c => c.Settings.MaxInFlightPerPartition) + 256;
        var roles = new List<string>();
        if (s.NodeName is { } node) roles.Add("node:" + node);
        if (s.Zone is { } zone) roles.Add(NodeRoles.ZonePrefix + zone);
        return ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{s.Hostname}}"
              public-hostname = "{{s.PublicHostname ?? s.Hostname}}"
              port = {{s.Port}}
            }
            akka.cluster.seed-nodes = [{{seeds}}]
            akka.cluster.roles = [{{string.Join(", ", roles.Append(NodeRoles.WeightRole(s.Weight)).Select(r => $"\"{r}\""))}}]
            akka.cluster.split-brain-resolver {
              active-strategy = {{s.SplitBrainResolver}}
              stable-after = {{(long)s.StableAfter.TotalMilliseconds}}ms
            }
            akka.coordinated-shutdown.phases.before-cluster-shutdown.timeout = {{(long)drain.TotalMilliseconds}}ms
            broker.partition-owner-mailbox.mailbox-capacity = {{ownerMailbox}}
            {{ZoneSettings.Hocon(s.Zones)}}
            """);
    }

    private void Start(ActorSystem system)
    {
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        var placement = ShardPlacementSettings.FromConfig(system.Settings.Config);
        var zones = ZoneSettings.FromConfig(system.Settings.Config);
        var cluster = Cluster.Get(system);
        var replicator = DistributedData.Get(system).Replicator;
        var reports = new ZoneHealthReports(TimeProvider.System);
        var view = new DistributedDataZoneView(_configuration.Settings.Zone ?? "");
        foreach (var resolved in _configuration.Consumers)
        {
            var runtime = CreateConsumer(resolved);
            _consumers.Add(runtime);
            BrokerTelemetry.Observe(runtime);
            runtime.Consumer.Start();
            // One Props per entity kind, shared by all entities: keys can be millions.
            var ownerProps = PartitionOwner.Props(runtime);
            var keyedProps = KeyedConsumer.Props(runtime);
            runtime.Region = sharding.Start(
                runtime.TypeName,
                entityId => EntityIds.IsOwner(entityId) ? ownerProps : keyedProps,
                shardingSettings,
                ShardMessageExtractor.Instance,
                new ConsistentHashShardAllocationStrategy(placement, zones: zones,
                    health: new DistributedDataZoneHealthSource(runtime.Name, cluster, reports, zones.ReportStaleAfter),
                    publisher: new ZonePlacementPublisher(runtime.Name, replicator, cluster.SelfUniqueAddress, zones, TimeProvider.System)),
                ShardStop.Instance);
            system.ActorOf(ClusterSingletonManager.Props(
                    PartitionDiscovery.Props(runtime.Topic, runtime.Region, _kafka.AdminClient,
                        resolved.Settings.PartitionDiscoveryInterval),
                    PoisonPill.Instance,
                    ClusterSingletonManagerSettings.Create(system).WithSingletonName("discovery")),
                $"broker-discovery-{runtime.Name}");
            _logger.LogInformation("Consumer {Consumer} started on topic {Topic}, group {GroupId}",
                runtime.Name, runtime.Topic, runtime.GroupId);
        }

        // Zone health and placement travel by Akka.DistributedData: this node reports its consumers' health,
        // and keeps its copies of every node's reports and every consumer's placement for the readers.
        system.ActorOf(ReplicaSubscriber.Props(replicator, [
            (ZoneReplicaKeys.Health, data => reports.Update((LWWDictionary<string, ZoneHealthReport>)data)),
            (ZoneReplicaKeys.Placements, data => view.Update((LWWDictionary<string, ZonePlacement>)data)),
        ]), "broker-zone-replicas");
        system.ActorOf(ZoneHealthReporter.Props(_consumers, replicator, cluster, reports, zones), "broker-zone-health");
        Zones = view;

        system.ActorOf(SplitBrainFence.Props(_configuration.Settings.SplitBrainResolver,
            () => _consumers.ForEach(c => c.Consumer.Fence()),
            () => _consumers.ForEach(c => c.Consumer.Unfence())), "broker-fence");

        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "broker-drain", () => DrainAsync(system));
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "broker-stop-consumers", async () =>
        {
            await Task.WhenAll(_consumers.Select(c => c.Consumer.StopAsync())).ConfigureAwait(false);
            return Done.Instance;
        });

        if (_configuration.Settings.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
    }

    private ConsumerRuntime CreateConsumer(ResolvedConsumer resolved)
    {
        var logger = _loggers.CreateLogger($"Broker.Consumer.{resolved.Name}");
        var counters = new ConsumerCounters(resolved.Name, resolved.Topic,
            new ZoneTelemetry(resolved.Name, resolved.Topic, _configuration.Settings.Zone ?? "", () => Zones));
        var breaker = resolved.Settings.BreakerEnabled ? new CircuitBreaker(resolved.Settings.Breaker, TimeProvider.System) : null;
        if (breaker is not null)
        {
            breaker.Transitioned += (from, to) =>
            {
                logger.Log(to == BreakerState.Closed ? LogLevel.Information : LogLevel.Warning,
                    "Circuit breaker of consumer {Consumer}: {From} -> {To}", resolved.Name, from, to);
                if (from == BreakerState.Closed && to == BreakerState.Open) BrokerTelemetry.BreakerOpenings.Add(1,
                    new KeyValuePair<string, object?>(BrokerTelemetry.ConsumerTag, resolved.Name),
                    new KeyValuePair<string, object?>(BrokerTelemetry.TopicTag, resolved.Topic));
            };
        }
        NodeConsumer consumer;
        DeadLetterPublisher deadLetters;
        try
        {
            consumer = new NodeConsumer(_kafka.ConsumerConfig(resolved), resolved.Name, resolved.Topic,
                resolved.Settings, counters, Memory, breaker, logger);
            deadLetters = new DeadLetterPublisher(_kafka.DeadLetterProducerConfig(resolved), resolved.GroupId, logger);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or Confluent.Kafka.KafkaException)
        {
            // librdkafka checks property values and combinations only when a client is created.
            var extra = _configuration.Settings.KafkaProperties;
            throw new BrokerConfigurationException([
                $"{BrokerOptionsBinder.SectionName}:Kafka = '{string.Join(", ", extra.Select(p => $"{p.Key}={p.Value}"))}': librdkafka refused the client configuration: {e.Message} " +
                "Fix: correct or remove the Broker:Kafka properties it names (see librdkafka's CONFIGURATION.md).",
            ]);
        }
        var handler = resolved.Registration.CreateHandler(_services, resolved.Settings.HandlerLifetime, resolved.Name, resolved.GroupId);
        var pipeline = new RecordPipeline(handler, resolved.Settings, breaker, counters, TimeProvider.System);
        return new ConsumerRuntime(resolved.Name, resolved.Topic, resolved.GroupId, resolved.Settings, consumer,
            pipeline, breaker, deadLetters, counters,
            new RecordTracing(resolved.Name, resolved.Topic, resolved.GroupId, logger, TimeProvider.System));
    }

    /// <summary>
    /// Asks every partition owner on this node to drain (stop fetching, finish, commit) and waits for all,
    /// before sharding hands the shards off.
    /// </summary>
    private async Task<Done> DrainAsync(ActorSystem system)
    {
        if (IsFenced || CoordinatedShutdown.Get(system).ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
        {
            // Downed, or cut off from the majority: the shards may already run elsewhere, so this node must
            // not commit. What it finished since its last commit is skipped by the new owner's watermarks.
            _consumers.ForEach(c => c.Consumer.Fence());
            _logger.LogWarning("Not draining: this node is fenced or was downed; its partitions continue elsewhere from their last commits");
            return Done.Instance;
        }
        var drains = new List<Task>();
        foreach (var consumer in _consumers)
        {
            consumer.Stopping = true;
            var timeout = consumer.Settings.DrainTimeout + TimeSpan.FromSeconds(2);
            foreach (var owner in consumer.Consumer.Owners)
                drains.Add(owner.Ask<PartitionOwner.Drained>(PartitionOwner.Drain.Instance, timeout));
        }
        try
        {
            await Task.WhenAll(drains).ConfigureAwait(false);
            _logger.LogInformation("Drained {Count} partitions", drains.Count);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Not every partition drained in time ({Drained} of {Count})",
                drains.Count(d => d.IsCompletedSuccessfully), drains.Count);
        }
        return Done.Instance;
    }

    /// <summary>True when this node's consumers are fenced (see <see cref="SplitBrainFence"/>).</summary>
    public bool IsFenced => _consumers.Any(c => c.Consumer.IsFenced);

    /// <summary>
    /// Stops every Kafka consumer as a crash would: no drain, no further commit. The ActorSystem is left
    /// to the caller (a test terminates it without leaving the cluster).
    /// </summary>
    internal Task AbortAsync() => Task.WhenAll(_consumers.Select(c => c.Consumer.AbortAsync()));

    public void Dispose()
    {
        foreach (var consumer in _consumers) consumer.Dispose();
    }
}
