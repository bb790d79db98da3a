using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Broker.Tests.Telemetry;

/// <summary>Export set up from <c>Broker:Telemetry</c>: OTLP to a collector, a Prometheus scrape endpoint, and their configuration errors.</summary>
[Collection(KafkaCollection.Name)]
public sealed class TelemetryExportersSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_node_exports_over_OTLP_to_the_configured_collector_and_serves_a_Prometheus_scrape_endpoint()
    {
        using var collector = new FakeOtlpCollector(FreePort());
        var prometheusPort = FreePort();
        var topic = kafka.CreateTopic(1);
        var log = new RecordLog();
        var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, config: new Dictionary<string, string?>
        {
            ["Broker:Telemetry:OtlpEndpoint"] = collector.Url,
            ["Broker:Telemetry:OtlpProtocol"] = "http/protobuf",
            ["Broker:Telemetry:PrometheusPort"] = prometheusPort.ToString(),
        });
        await using (node)
        {
            kafka.Produce(topic, [new Message<byte[]?, byte[]?> { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() }]);
            await log.WaitForCountAsync(1, Timeout);

            using var http = new HttpClient();
            var scrape = "";
            await Eventually.Until(() =>
            {
                scrape = http.GetStringAsync($"http://localhost:{prometheusPort}/metrics").GetAwaiter().GetResult();
                return scrape.Split('\n').Any(l => l.StartsWith("broker_records_handled_total{", StringComparison.Ordinal) && l.Contains($"messaging_destination_name=\"{topic}\""));
            }, Timeout, () => "the handled counter of this topic in the Prometheus scrape:\n" + scrape);
            var handled = scrape.Split('\n').Single(l => l.StartsWith("broker_records_handled_total{", StringComparison.Ordinal) && l.Contains($"\"{topic}\""));
            output.WriteLine(handled);
            Assert.Contains("broker_consumer=\"t-", handled);
            Assert.EndsWith(" 1", handled.Split(" # ")[0].TrimEnd());
            Assert.Contains("broker_handler_duration_seconds_bucket{", scrape);
        }

        // Stopping the host flushes Broker's providers: whatever the batch and export intervals, both signals arrive.
        await Eventually.Until(() => collector.Paths.Contains("/v1/traces") && collector.Paths.Contains("/v1/metrics"), Timeout,
            () => $"OTLP posts to /v1/traces and /v1/metrics, got {string.Join(", ", collector.Paths)}");
        Assert.All(collector.ContentTypes, t => Assert.Equal("application/x-protobuf", t));
    }

    [Fact]
    public async Task A_Prometheus_port_already_in_use_stops_start_up_naming_the_key()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var topic = kafka.CreateTopic(1);

        var error = await Assert.ThrowsAsync<BrokerConfigurationException>(() => TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output,
            config: new Dictionary<string, string?> { ["Broker:Telemetry:PrometheusPort"] = port.ToString(), ["Broker:Telemetry:PrometheusHost"] = "127.0.0.1" }));

        var problem = Assert.Single(error.Problems);
        Assert.Contains($"Broker:Telemetry:PrometheusPort = '{port}'", problem);
        Assert.Contains("Fix:", problem);
    }

    [Theory]
    [InlineData("Broker:Telemetry:OtlpEndpoint", "otel-collector:4317", "not an absolute http:// or https:// URL")]
    [InlineData("Broker:Telemetry:OtlpEndpoint", "/v1/traces", "not an absolute http:// or https:// URL")]
    [InlineData("Broker:Telemetry:OtlpProtocol", "http", "not an OTLP transport")]
    [InlineData("Broker:Telemetry:PrometheusPort", "70000", "must be between 0 and 65535")]
    [InlineData("Broker:Telemetry:PrometheusPort", "metrics", "not an integer")]
    [InlineData("Broker:Telemetry:PrometheusHost", "my host", "not a host name")]
    public void A_bad_telemetry_setting_names_the_key_the_value_and_the_fix(string key, string value, string why)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var builder = new BrokerBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection());
        builder.AddConsumer<string, TestHandler>("orders");

        var error = Assert.Throws<BrokerConfigurationException>(() => new BrokerConfiguration(configuration, builder.Build()));

        var problem = Assert.Single(error.Problems);
        Assert.Contains($"{key} = '{value}'", problem);
        Assert.Contains(why, problem);
        Assert.Contains("Fix:", problem);
    }

    [Fact]
    public void A_bad_OTEL_EXPORTER_OTLP_ENDPOINT_is_named_unless_Brokers_own_endpoint_takes_precedence()
    {
        var problems = new List<string>();
        BrokerOptionsValidator.ValidateTelemetry(new TelemetryOptions(), "otel-collector:4317", problems);
        var problem = Assert.Single(problems);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT (environment variable) = 'otel-collector:4317'", problem);
        Assert.Contains("Fix:", problem);

        problems.Clear();
        BrokerOptionsValidator.ValidateTelemetry(new TelemetryOptions { OtlpEndpoint = "http://otel-collector:4317" }, "otel-collector:4317", problems);
        Assert.Empty(problems);
    }

    /// <summary>Accepts OTLP/HTTP posts on loopback and remembers their paths; answers 200 with an empty body.</summary>
    private sealed class FakeOtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<string> _paths = new();
        private readonly ConcurrentQueue<string> _contentTypes = new();

        public FakeOtlpCollector(int port)
        {
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string Url { get; }
        public IReadOnlyCollection<string> Paths => _paths.ToArray();
        public IReadOnlyCollection<string> ContentTypes => _contentTypes.ToArray();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // stopped
                }
                using (var body = new MemoryStream())
                {
                    await context.Request.InputStream.CopyToAsync(body);
                }
                _paths.Enqueue(context.Request.Url!.AbsolutePath);
                _contentTypes.Enqueue(context.Request.ContentType ?? "");
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
