using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Broker.Hosting;
using Broker.Inspection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OrderProcessing;
using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// The <c>run</c> verb: starts a node with the order sample, feeds it from a demo producer when it runs
/// the embedded Kafka, shows progress until the duration elapses or Ctrl+C/SIGTERM, then drains and summarises.
/// </summary>
internal sealed class NodeRunner(RunOptions options)
{
    /// <summary>Exit code for a configuration Broker refused.</summary>
    public const int ConfigurationError = 2;

    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DemoOutageAfter = new OrderProcessingOptions().DownstreamOutageAfter;
    private readonly RecentLogs _recentLogs = new();
    private TimeSpan _outageHere;

    /// <summary>Runs the node; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        using var host = Build();
        try
        {
            await host.StartAsync();
        }
        catch (BrokerConfigurationException e)
        {
            Terminal.Error.MarkupLine("[red]Broker configuration is invalid:[/]");
            foreach (var problem in e.Problems) Terminal.Error.MarkupLineInterpolated($"[red]  {problem}[/]");
            return ConfigurationError;
        }

        var status = host.Services.GetRequiredService<BrokerStatus>();
        var stats = host.Services.GetRequiredService<OrderStats>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var node = NodeIdentity.Of(host.Services.GetRequiredService<ActorSystem>());
        AnsiConsole.MarkupLineInterpolated($"Kafka bootstrap: [bold]{status.BootstrapServers}[/]");
        if (status.UsesEmbeddedKafka) AnsiConsole.MarkupLine("[grey](embedded Kafka; any Kafka client can connect to it)[/]");
        AnsiConsole.MarkupLineInterpolated($"Node: [bold]{node.Describe()}[/]");
        AnsiConsole.MarkupLineInterpolated(
            $"[grey](another node joins this cluster with: dotnet run --project Broker.Host -- --seed {node.Address} --bootstrap {status.BootstrapServers} --inspection-port 0)[/]");
        if (options.DemoOutageZone is { } outageZone)
        {
            var zone = node.Zone is null ? "no zone" : $"zone {node.Zone}";
            if (_outageHere > TimeSpan.Zero)
                AnsiConsole.MarkupLineInterpolated(
                    $"Demo outage: this node is in {zone}, so its downstream fails for {_outageHere.TotalSeconds:0.#} s from about {DemoOutageAfter.TotalSeconds:0} s after its first order.");
            else
                AnsiConsole.MarkupLineInterpolated($"Demo outage: only the nodes of zone {outageZone} fail; this node is in {zone}, its downstream stays up.");
        }
        if (status.InspectionEndpoint is { } inspection)
        {
            var port = inspection.Port == Broker.Inspection.InspectionClient.DefaultPort ? "" : $" --port {inspection.Port}";
            AnsiConsole.MarkupLineInterpolated($"Inspection: [bold]{inspection}[/] [grey](from another terminal: dotnet run --project Broker.Host -- consumers{port})[/]");
        }

        // Only into the embedded Kafka: with bootstrap servers from anywhere (flag or Broker__BootstrapServers)
        // this node consumes someone's real topic, which must not get demo orders.
        await using var producer = status.UsesEmbeddedKafka
            ? new DemoProducer(status.BootstrapServers, options.Topic, options.Rate, options.Keys, options.DemoPoison,
                host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<DemoProducer>())
            : null;
        producer?.Start();

        var clock = Stopwatch.StartNew();
        IReadOnlyList<int>? assignedAtStop = null;
        IReadOnlyList<ZoneSummary>? zonesAtStop = null;
        RunSummary Capture() => RunSummary.Capture(clock.Elapsed, status, stats, producer?.Produced ?? 0, producer?.PoisonProduced ?? 0,
            node, assignedAtStop, zonesAtStop);

        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping))
        {
            if (options.Duration is { } duration) stop.CancelAfter(duration);
            await new ProgressView(Capture, _recentLogs).RunAsync(stop.Token);
        }
        // Before anything drains: a stopped node holds no partition, but its summary names those it held (and the zones as it last saw them).
        var atStop = Capture();
        (assignedAtStop, zonesAtStop) = (atStop.AssignedPartitions, atStop.Zones);

        AnsiConsole.MarkupLine(producer is null
            ? "[grey]Stopping: draining and committing...[/]"
            : "[grey]Stopping: flushing the demo producer, draining and committing...[/]");
        if (producer is not null)
        {
            await producer.StopAsync();
            // After Ctrl+C/SIGTERM the node is already draining (Akka's CLR shutdown hook), so it fetches nothing more.
            if (!lifetime.ApplicationStopping.IsCancellationRequested) await CatchUpAsync(status);
        }
        await host.StopAsync();

        // Read after the stop: the node refreshed its status one last time with what it committed.
        var summary = Capture();
        AnsiConsole.Write(StatusView.Final(summary));
        if (options.SummaryJson is { } path)
        {
            await summary.WriteJsonAsync(path);
            AnsiConsole.MarkupLineInterpolated($"[grey]Summary written to {path}[/]");
        }
        return 0;
    }

    /// <summary>
    /// Gives the node up to <see cref="CatchUpTimeout"/> to handle and commit what is already in Kafka (the
    /// demo's last records, and anything other producers wrote): a stopping node fetches nothing more, so
    /// without this the summary would count the last fetch round's records as lag. Only the partitions this
    /// node consumes count: those that moved to another node are that node's to finish.
    /// </summary>
    private static async Task CatchUpAsync(BrokerStatus status)
    {
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (status.Consumers.SelectMany(c => c.Partitions).Any(p => p.Assigned && (p.Lag > 0 || p.InFlight > 0)) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
    }

    private IHost Build()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(options.ToConfiguration());
        // The zone as Broker will read it: from the flag, the environment or appsettings.json.
        _outageHere = options.OutageIn(builder.Configuration["Broker:Cluster:Zone"] is { Length: > 0 } zone ? zone : null);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        // Logs go to stderr, and only warnings unless --verbose, so stdout carries the progress view alone;
        // under the live view (without --verbose) they are shown inside it instead.
        if (ProgressView.IsLive && !options.Verbose)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(_recentLogs);
        }
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, options.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // A refused configuration is printed once, as its problem lines, not again as the host's stack trace.
        if (!options.Verbose) builder.Logging.AddFilter<ConsoleLoggerProvider>("Microsoft.Extensions.Hosting", LogLevel.Critical);
        builder.Services.AddBroker(broker =>
        {
            if (options.Seeds.Count > 0) broker.Configure(o => o.Cluster.SeedNodes = [.. options.Seeds]);
            broker.AddOrderProcessing(new OrderProcessingOptions
            {
                Topic = options.Topic,
                DownstreamLatency = options.DemoDelay,
                DownstreamOutage = _outageHere,
                DownstreamOutageAfter = DemoOutageAfter,
            });
            // Akka's own level too, not only the console filter: Akka prints log events still queued when its
            // logger stops straight to stdout, into the summary.
            if (!options.Verbose)
                broker.ConfigureAkka((akka, _) => akka.AddHocon(ConfigurationFactory.ParseString("akka.loglevel = WARNING"), HoconAddMode.Prepend));
        });
        return builder.Build();
    }
}
