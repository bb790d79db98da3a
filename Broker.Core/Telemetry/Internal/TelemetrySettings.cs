using Broker.Hosting;
using Broker.Hosting.Internal;
using OpenTelemetry.Exporter;

namespace Broker.Telemetry.Internal;

/// <summary>Where this node exports traces and metrics: reference.conf overlaid with <see cref="TelemetryOptions"/>.</summary>
/// <param name="OtlpEndpoint">The OTLP base URL from Broker's configuration, or null.</param>
/// <param name="OtlpProtocol">The transport for <paramref name="OtlpEndpoint"/>.</param>
/// <param name="OtlpFromEnvironment">True when Broker's configuration names no endpoint but <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> does.</param>
/// <param name="PrometheusPort">The Prometheus scrape endpoint's port, or null for none.</param>
/// <param name="PrometheusHost">The host name it listens on.</param>
internal sealed record TelemetrySettings(
    Uri? OtlpEndpoint,
    OtlpExportProtocol OtlpProtocol,
    bool OtlpFromEnvironment,
    int? PrometheusPort,
    string PrometheusHost)
{
    /// <summary>OpenTelemetry's standard variable for the OTLP exporter's base URL.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Call after <see cref="BrokerOptionsValidator.ValidateTelemetry"/> found nothing wrong.</summary>
    /// <param name="o">The bound options.</param>
    /// <param name="environmentEndpoint">The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or null.</param>
    public static TelemetrySettings Create(TelemetryOptions o, string? environmentEndpoint)
    {
        var r = BrokerSettings.Reference.GetConfig("broker.telemetry");
        var endpoint = o.OtlpEndpoint ?? r.GetString("otlp-endpoint");
        var port = o.PrometheusPort ?? r.GetInt("prometheus-port");
        return new TelemetrySettings(
            string.IsNullOrWhiteSpace(endpoint) ? null : new Uri(endpoint.Trim()),
            ParseProtocol(o.OtlpProtocol ?? r.GetString("otlp-protocol")) ?? OtlpExportProtocol.Grpc,
            string.IsNullOrWhiteSpace(endpoint) && !string.IsNullOrWhiteSpace(environmentEndpoint),
            port == 0 ? null : port,
            o.PrometheusHost ?? r.GetString("prometheus-host"));
    }

    /// <summary><c>grpc</c> or <c>http/protobuf</c> (OpenTelemetry's spelling of OTEL_EXPORTER_OTLP_PROTOCOL), else null.</summary>
    public static OtlpExportProtocol? ParseProtocol(string value) => value.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
