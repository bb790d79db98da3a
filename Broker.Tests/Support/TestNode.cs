using Broker.Hosting;
using Broker.Inspection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Broker.Tests.Support;

/// <summary>A Broker node (a generic host with AddBroker) consuming one topic with <see cref="TestHandler"/>.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private bool _stopped;

    private TestNode(IHost host, string name)
    {
        Host = host;
        Name = name;
        Status = host.Services.GetRequiredService<BrokerStatus>();
    }

    public IHost Host { get; }
    public string Name { get; }
    public BrokerStatus Status { get; }
    public ConsumerStatus Consumer => Status.Consumers.Single();

    /// <summary>The node's ActorSystem.</summary>
    public Akka.Actor.ActorSystem System => Host.Services.GetRequiredService<Akka.Actor.ActorSystem>();

    /// <summary>The node's cluster address, e.g. <c>akka.tcp://broker@127.0.0.1:40123</c>.</summary>
    public Akka.Actor.Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Partitions this node's Kafka consumer fetches now.</summary>
    public IReadOnlyList<int> Assigned => Consumer.Partitions.Where(p => p.Assigned).Select(p => p.Partition).ToArray();

    /// <summary>
    /// Kills the node as a crash would: its Kafka consumers stop without draining or committing, and its
    /// ActorSystem terminates without leaving the cluster (the node must run with
    /// <see cref="CrashableHocon"/>), so the others see it unreachable and their split brain resolver downs it.
    /// </summary>
    public async Task CrashAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Host.Services.GetRequiredService<Broker.Hosting.Internal.BrokerRuntime>().AbortAsync();
        await System.Terminate();
    }

    /// <summary>Akka settings that let <see cref="CrashAsync"/> terminate the ActorSystem without a graceful leave.</summary>
    public const string CrashableHocon = """
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.cluster.run-coordinated-shutdown-when-down = off
        """;

    /// <summary>
    /// The SQLite file that holds this test run's idempotency watermarks: one per run, because topic and
    /// group names repeat from run to run and the watermarks of an earlier run must not skip this run's records.
    /// </summary>
    public static readonly string WatermarkDatabase =
        Path.Combine(Path.GetTempPath(), $"broker-tests-{Environment.ProcessId}-{Guid.NewGuid():N}.db");

    /// <summary>Settings every test node uses unless the test overrides them: quick commits and discovery.</summary>
    public static Dictionary<string, string?> DefaultConfig(string bootstrap, string group) => new()
    {
        ["Broker:Persistence:ConnectionString"] = $"Data Source={WatermarkDatabase}",
        ["Broker:BootstrapServers"] = bootstrap,
        ["Broker:GroupId"] = group,
        ["Broker:Consumer:CommitInterval"] = "200ms",
        ["Broker:Consumer:PartitionDiscoveryInterval"] = "500ms",
        ["Broker:Consumer:DrainTimeout"] = "20s",
        // Any free port: test nodes run side by side, and beside nodes of other runs on this machine.
        ["Broker:Inspection:Port"] = "0",
    };

    public static Task<TestNode> StartAsync(EmbeddedKafkaFixture kafka, string topic, string group, RecordLog log,
        ITestOutputHelper output, TestBehavior? behavior = null, Action<ConsumerDefinition<string>>? configure = null,
        IDictionary<string, string?>? config = null, string name = "node-1", Action<BrokerBuilder>? broker = null)
    {
        var settings = DefaultConfig(kafka.Bootstrap, group);
        foreach (var (k, v) in config ?? new Dictionary<string, string?>()) settings[k] = v;
        return StartAsync(settings, topic, log, output, behavior, configure, name, broker);
    }

    public static async Task<TestNode> StartAsync(IDictionary<string, string?> config, string topic, RecordLog log,
        ITestOutputHelper output, TestBehavior? behavior = null, Action<ConsumerDefinition<string>>? configure = null,
        string name = "node-1", Action<BrokerBuilder>? broker = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new XunitLoggerProvider(output, name));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Akka", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton(behavior ?? new TestBehavior());
        builder.Services.AddSingleton(new NodeName(name));
        builder.Services.AddBroker(b =>
        {
            b.AddConsumer<string, TestHandler>(topic, configure);
            broker?.Invoke(b);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new TestNode(host, name);
    }

    /// <summary>Stops gracefully: Broker stops fetching, drains, commits, then the ActorSystem stops.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
