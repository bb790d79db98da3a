using Broker.Hosting;
using Broker.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Broker.Telemetry.Internal;

/// <summary>
/// Broker's own OpenTelemetry providers, built when the host starts and only when <see cref="TelemetrySettings"/>
/// asks for an export: a TracerProvider for the <c>Broker</c> ActivitySource (OTLP) and a MeterProvider for
/// the <c>Broker</c> Meter (OTLP and/or a Prometheus scrape endpoint). They are Broker's, apart from any the
/// host builds: Broker's configuration is known only once the host starts, after the host's own
/// OpenTelemetry registration is fixed. Disposed (and so flushed) when the host stops, after the ActorSystem.
/// </summary>
internal sealed class TelemetryExporters(IServiceProvider services, ILogger<TelemetryExporters> logger) : IHostedService, IDisposable
{
    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = services.GetRequiredService<BrokerConfiguration>();
        var settings = configuration.Telemetry;
        var otlp = settings.OtlpEndpoint is not null || settings.OtlpFromEnvironment && !HostHasOpenTelemetry();
        if (settings.OtlpFromEnvironment && !otlp)
            logger.LogInformation("{Variable} is set and the host configures OpenTelemetry itself: Broker leaves the export to it " +
                                  "(add .AddSource(\"Broker\") and .AddMeter(\"Broker\") to the host's providers)", TelemetrySettings.OtlpEndpointVariable);
        if (!otlp && settings.PrometheusPort is null) return Task.CompletedTask;

        var resource = Resource(configuration.SystemName);
        if (otlp)
        {
            _tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(BrokerTelemetry.Name)
                .AddOtlpExporter(o => Configure(o, settings, "v1/traces"))
                .Build();
        }
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(BrokerTelemetry.Name);
        if (otlp) metrics.AddOtlpExporter(o => Configure(o, settings, "v1/metrics"));
        if (settings.PrometheusPort is { } port)
            metrics.AddPrometheusHttpListener(o =>
            {
                o.Host = settings.PrometheusHost;
                o.Port = port;
            });
        try
        {
            _metrics = metrics.Build();
        }
        catch (InvalidOperationException e) when (settings.PrometheusPort is not null)
        {
            Dispose();
            throw new BrokerConfigurationException([
                $"{BrokerOptionsBinder.SectionName}:Telemetry:PrometheusPort = '{settings.PrometheusPort}' (PrometheusHost '{settings.PrometheusHost}'): " +
                $"the Prometheus endpoint could not listen: {e.InnerException?.Message ?? e.Message}. " +
                "Fix: choose a free port, a host name this machine has, or remove the key.",
            ]);
        }
        if (otlp)
            logger.LogInformation("Exporting Broker traces and metrics over OTLP ({Protocol}) to {Endpoint}",
                settings.OtlpEndpoint is null ? "per OTEL_EXPORTER_OTLP_PROTOCOL" : settings.OtlpProtocol,
                settings.OtlpEndpoint?.ToString() ?? Environment.GetEnvironmentVariable(TelemetrySettings.OtlpEndpointVariable));
        if (settings.PrometheusPort is { } p)
            logger.LogInformation("Serving Broker metrics for Prometheus at http://{Host}:{Port}/metrics", settings.PrometheusHost, p);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracing?.Dispose();
        _tracing = null;
        _metrics?.Dispose();
        _metrics = null;
    }

    /// <summary>Broker's endpoint when configured; otherwise the exporter keeps what it read from the OTEL_EXPORTER_OTLP_* variables.</summary>
    private static void Configure(OtlpExporterOptions o, TelemetrySettings settings, string signalPath)
    {
        if (settings.OtlpEndpoint is not { } endpoint) return;
        o.Protocol = settings.OtlpProtocol;
        // Like OTEL_EXPORTER_OTLP_ENDPOINT, the setting is a base URL; over HTTP each signal has its own path.
        o.Endpoint = settings.OtlpProtocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.ToString().TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }

    /// <summary>OpenTelemetry's default resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), named after the ActorSystem unless those name the service.</summary>
    private static ResourceBuilder Resource(string systemName)
    {
        var resource = ResourceBuilder.CreateDefault();
        var attributes = Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES") ?? "";
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")) && !attributes.Contains("service.name=", StringComparison.Ordinal))
            resource.AddService(systemName);
        return resource;
    }

    private bool HostHasOpenTelemetry() =>
        services.GetService<IServiceProviderIsService>() is { } registered &&
        (registered.IsService(typeof(TracerProvider)) || registered.IsService(typeof(MeterProvider)));
}
