using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Telemetry.Internal;
using Broker.Tests.Support;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Broker.Tests.Telemetry;

/// <summary>What a node exports, from <c>Broker:Telemetry</c> over reference.conf and <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
public sealed class TelemetrySettingsSpec
{
    [Fact]
    public void With_nothing_configured_nothing_is_exported()
    {
        var settings = TelemetrySettings.Create(new TelemetryOptions(), environmentEndpoint: null);

        Assert.Null(settings.OtlpEndpoint);
        Assert.False(settings.OtlpFromEnvironment);
        Assert.Equal(OtlpExportProtocol.Grpc, settings.OtlpProtocol);
        Assert.Null(settings.PrometheusPort);
        Assert.Equal("localhost", settings.PrometheusHost);
    }

    [Fact]
    public void Brokers_own_endpoint_takes_precedence_over_the_environment()
    {
        var settings = TelemetrySettings.Create(
            new TelemetryOptions { OtlpEndpoint = " http://collector:4318 ", OtlpProtocol = "HTTP/protobuf" }, "http://elsewhere:4317");

        Assert.Equal(new Uri("http://collector:4318"), settings.OtlpEndpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, settings.OtlpProtocol);
        Assert.False(settings.OtlpFromEnvironment);
    }

    [Fact]
    public void OTEL_EXPORTER_OTLP_ENDPOINT_alone_leaves_the_endpoint_to_the_exporter()
    {
        var settings = TelemetrySettings.Create(new TelemetryOptions(), "http://collector:4317");

        Assert.Null(settings.OtlpEndpoint); // the exporter reads the OTEL_EXPORTER_OTLP_* variables itself
        Assert.True(settings.OtlpFromEnvironment);
    }

    [Fact]
    public void A_Prometheus_port_and_host_are_taken_as_given()
    {
        var settings = TelemetrySettings.Create(new TelemetryOptions { PrometheusPort = 9464, PrometheusHost = "*" }, null);

        Assert.Equal(9464, settings.PrometheusPort);
        Assert.Equal("*", settings.PrometheusHost);
        Assert.Null(settings.OtlpEndpoint);
    }

    [Fact]
    public void An_empty_endpoint_and_port_0_configure_no_export_as_in_reference_conf()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Telemetry:OtlpEndpoint"] = "",
            ["Broker:Telemetry:PrometheusPort"] = "0",
        }).Build();
        var builder = new BrokerBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection());
        builder.AddConsumer<string, TestHandler>("orders");

        var settings = new BrokerConfiguration(configuration, builder.Build()).Telemetry;

        Assert.Null(settings.OtlpEndpoint);
        Assert.Null(settings.PrometheusPort);
    }
}
