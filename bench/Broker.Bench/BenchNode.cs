using Broker.Hosting;
using Broker.Inspection;
using Broker.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Broker.Bench;

/// <summary>A Broker node consuming one topic with handler <typeparamref name="THandler"/>; logs only warnings.</summary>
internal static class BenchNode
{
    public static async Task<IHost> StartAsync<THandler>(string bootstrap, string topic, string group,
        Action<IServiceCollection> services, Action<ConsumerDefinition<byte[]>>? configure = null,
        IDictionary<string, string?>? config = null)
        where THandler : class, IMessageHandler<byte[]>
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["Broker:BootstrapServers"] = bootstrap,
            ["Broker:GroupId"] = group,
            ["Broker:Inspection:Port"] = "0", // never collide with a node someone runs on this machine
            // A new SQLite file per node: the default broker.db in the working directory keeps earlier runs'
            // watermarks of the same group ids, which a node would replay (and discard, on a new embedded Kafka)
            // while it is measured.
            ["Broker:Persistence:ConnectionString"] = $"Data Source={NewDatabase()}",
        };
        foreach (var (k, v) in config ?? new Dictionary<string, string?>()) settings[k] = v;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddEnvironmentVariables(); // Broker__... overrides, for experiments
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        services(builder.Services);
        builder.Services.AddBroker(b =>
        {
            b.AddConsumer<byte[], THandler>(topic, c =>
            {
                c.Options.HandlerLifetime = HandlerLifetime.Singleton;
                configure?.Invoke(c);
            });
            if (Environment.GetEnvironmentVariable("BENCH_HOCON") is { } hocon)
                b.ConfigureAkka((akka, _) => Akka.Hosting.AkkaHostingExtensions.AddHocon(akka, Akka.Configuration.ConfigurationFactory.ParseString(hocon), Akka.Hosting.HoconAddMode.Prepend));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static readonly Lazy<DirectoryInfo> Databases = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("broker-bench-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // let the files go before deleting them
            try { dir.Delete(recursive: true); } catch (IOException) { }
        };
        return dir;
    });

    private static string NewDatabase() => Path.Combine(Databases.Value.FullName, $"{Guid.NewGuid():N}.db");

    public static ConsumerStatus Status(this IHost host) => host.Services.GetRequiredService<BrokerStatus>().Consumers.Single();
}
