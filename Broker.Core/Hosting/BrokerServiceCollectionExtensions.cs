using Akka.Hosting;
using Broker.Hosting.Internal;
using Broker.Inspection;
using Broker.Inspection.Internal;
using Broker.Kafka.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Hosting;

/// <summary>Registers Broker on a generic host.</summary>
public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds Broker: an Akka.NET cluster node (through Akka.Hosting's <c>AddAkka</c>) that consumes the
    /// topics of the consumers <paramref name="configure"/> adds. Options are bound from the
    /// <c>Broker</c> section of the host's <see cref="IConfiguration"/> when the host starts; invalid
    /// options stop start-up with a <see cref="BrokerConfigurationException"/> before anything connects.
    /// Also registers <see cref="BrokerStatus"/>, <see cref="Broker.Kafka.IBrokerProducer"/>, the inspection command host
    /// (<c>Broker:Inspection</c>, see <see cref="InspectionClient"/>) and the health checks of <see cref="BrokerHealthChecks"/>,
    /// and exports traces and metrics when <see cref="TelemetryOptions"/> (<c>Broker:Telemetry</c>) or
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> say where; a host with its own OpenTelemetry set-up adds
    /// <c>AddSource("Broker")</c> and <c>AddMeter("Broker")</c> to it instead.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddBroker(broker => broker
    ///     .AddConsumer&lt;Order, OrderHandler&gt;("orders", c => c.Options.MaxInFlightPerKey = 10));
    /// </code>
    /// </example>
    /// <exception cref="InvalidOperationException">AddBroker was already called on <paramref name="services"/>.</exception>
    public static IServiceCollection AddBroker(this IServiceCollection services, Action<BrokerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(BrokerDefinition)))
            throw new InvalidOperationException("AddBroker was already called on this service collection; add every consumer in one call.");
        var builder = new BrokerBuilder(services);
        configure(builder);
        var definition = builder.Build();

        services.AddSingleton(definition);
        services.AddSingleton(sp => new BrokerConfiguration(sp.GetRequiredService<IConfiguration>(), definition));
        // Before AddAkka's hosted service, so configuration is checked before the ActorSystem starts.
        services.AddHostedService<BrokerStartupCheck>();
        services.AddSingleton<InspectionHost>();
        services.AddHostedService<InspectionStartup>();
        // Also before the ActorSystem (nothing it records is missed) and so stopped after it (flushing its last).
        services.AddHostedService<Broker.Telemetry.Internal.TelemetryExporters>();
        services.AddSingleton<KafkaEndpoint>();
        services.AddSingleton<BrokerProducer>();
        services.AddSingleton<Broker.Kafka.IBrokerProducer>(sp => sp.GetRequiredService<BrokerProducer>());
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<BrokerConfiguration>().Settings;
            return new MemoryGuard(settings.MemoryPauseAboveBytes, settings.MemoryResumeBelowBytes,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Broker.Memory"));
        });
        services.AddSingleton<BrokerRuntime>();
        services.AddSingleton(sp => new BrokerStatus(sp.GetRequiredService<BrokerRuntime>(), sp.GetRequiredService<InspectionHost>()));
        services.AddHealthChecks()
            .AddCheck<ClusterMemberHealthCheck>(BrokerHealthChecks.Cluster, HealthStatus.Unhealthy, [BrokerHealthChecks.Tag])
            .AddCheck<ConsumersHealthCheck>(BrokerHealthChecks.Consumers, HealthStatus.Unhealthy, [BrokerHealthChecks.Tag])
            .AddCheck<BreakersHealthCheck>(BrokerHealthChecks.Breakers, HealthStatus.Degraded, [BrokerHealthChecks.Tag])
            .AddCheck<MemoryGuardHealthCheck>(BrokerHealthChecks.Memory, HealthStatus.Degraded, [BrokerHealthChecks.Tag]);
        services.AddAkka(definition.SystemName, (akka, sp) =>
        {
            sp.GetRequiredService<BrokerRuntime>().ConfigureAkka(akka, sp);
            akka.AddStartup((system, _) => sp.GetRequiredService<InspectionHost>().Attach(system));
        });
        return services;
    }
}
