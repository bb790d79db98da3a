namespace Broker.Hosting;

/// <summary>
/// Where Broker exports its traces and metrics (configuration section <c>Broker:Telemetry</c>). With nothing
/// set and no <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable, Broker exports nothing and its spans
/// cost nothing; a host that configures OpenTelemetry itself adds <c>AddSource("Broker")</c> and
/// <c>AddMeter("Broker")</c> to its own providers instead. Null keeps the default.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// OTLP collector base URL, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318</c>
    /// (with <see cref="OtlpProtocol"/> <c>http/protobuf</c>; Broker appends <c>/v1/traces</c> and
    /// <c>/v1/metrics</c>), the same meaning as OpenTelemetry's <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. When set,
    /// Broker exports spans and metrics there. Default none; then the environment variable
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, if set, is used (with the other <c>OTEL_EXPORTER_OTLP_*</c>
    /// variables) unless the host registers OpenTelemetry itself.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport for <see cref="OtlpEndpoint"/>: <c>grpc</c> or <c>http/protobuf</c>. Default <c>grpc</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>
    /// TCP port of a Prometheus scrape endpoint (<c>http://PrometheusHost:PrometheusPort/metrics</c>) serving
    /// Broker's metrics. Default 0: none (no endpoint). Range 0..65535.
    /// </summary>
    public int? PrometheusPort { get; set; }

    /// <summary>
    /// Host name the Prometheus endpoint listens on: <c>localhost</c> (the default, this machine only), a host
    /// name or address of this machine, or <c>*</c> for every interface (needed for a scraper in another container).
    /// </summary>
    public string? PrometheusHost { get; set; }
}
