using System.Text;
using Broker.Inspection;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary>The health checks AddBroker registers, run through the host's HealthCheckService as a health endpoint would.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BrokerHealthChecksSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<TestNode> StartAsync(TestBehavior? behavior = null, Action<Broker.Hosting.ConsumerDefinition<string>>? configure = null,
        IDictionary<string, string?>? config = null)
    {
        var topic = kafka.CreateTopic(1);
        return TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output, behavior, configure, config);
    }

    private static Task<HealthReport> CheckAsync(TestNode node) =>
        node.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(BrokerHealthChecks.Tag));

    private static async Task<HealthReport> UntilAsync(TestNode node, Func<HealthReport, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var report = await CheckAsync(node);
            if (condition(report)) return report;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for: {what}; last: " +
                                           string.Join("; ", report.Entries.Select(e => $"{e.Key} {e.Value.Status} {e.Value.Description}")));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_node_consuming_its_partitions_is_healthy_on_all_four_checks()
    {
        await using var node = await StartAsync();

        var report = await UntilAsync(node, r => r.Status == HealthStatus.Healthy, "healthy");

        Assert.Equal([BrokerHealthChecks.Breakers, BrokerHealthChecks.Cluster, BrokerHealthChecks.Consumers, BrokerHealthChecks.Memory],
            report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Up", report.Entries[BrokerHealthChecks.Cluster].Data["status"]);
        Assert.Equal("no breaker is Open.", report.Entries[BrokerHealthChecks.Breakers].Description);
    }

    [Fact]
    public async Task An_open_breaker_makes_the_breakers_check_degraded_naming_the_consumer()
    {
        await using var node = await StartAsync(
            new TestBehavior { Before = (_, _) => throw new HttpRequestException("downstream is down") },
            c =>
            {
                c.Options.MaxAttempts = 1000;
                c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                c.Options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                c.Options.Breaker.MinimumCalls = 5;
                c.Options.Breaker.OpenDuration = TimeSpan.FromMinutes(5);
            });
        var topic = node.Consumer.Topic;
        kafka.Produce(topic, Enumerable.Range(0, 10).Select(i => new Message<byte[]?, byte[]?>
            { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = "v"u8.ToArray() }));

        var report = await UntilAsync(node, r => r.Entries[BrokerHealthChecks.Breakers].Status != HealthStatus.Healthy, "the breaker opened");

        var breakers = report.Entries[BrokerHealthChecks.Breakers];
        Assert.Equal(HealthStatus.Degraded, breakers.Status);
        Assert.StartsWith($"{topic}: Open since ", breakers.Description);
        Assert.Contains("failure rate 1", breakers.Description);
        Assert.Equal("Open", breakers.Data[topic]);
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[BrokerHealthChecks.Consumers].Status); // still polling: waiting is not stuck
    }

    [Fact]
    public async Task A_tripped_memory_guard_makes_the_memory_check_degraded()
    {
        await using var node = await StartAsync(config: new Dictionary<string, string?>
        {
            ["Broker:Memory:PauseAbove"] = "1MB",
            ["Broker:Memory:ResumeBelow"] = "512KB",
        });

        var report = await UntilAsync(node, r => r.Entries[BrokerHealthChecks.Memory].Status != HealthStatus.Healthy, "the guard tripped");

        var memory = report.Entries[BrokerHealthChecks.Memory];
        Assert.Equal(HealthStatus.Degraded, memory.Status);
        Assert.StartsWith("tripped: heap ", memory.Description);
        Assert.Equal(1L << 20, memory.Data["pauseAboveBytes"]);
        Assert.True(node.Status.Memory.Paused);
    }

    [Fact]
    public async Task A_node_that_left_the_cluster_is_unhealthy()
    {
        await using var node = await StartAsync();
        await UntilAsync(node, r => r.Status == HealthStatus.Healthy, "healthy");
        var self = (await Inspect.Query(node, "cluster", "show")).Text("self")!;

        await Inspect.Query(node, "cluster", "leave", self);

        var report = await UntilAsync(node, r => r.Entries[BrokerHealthChecks.Cluster].Status == HealthStatus.Unhealthy, "unhealthy after leaving");
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(self)} is (Leaving|Exiting|Removed);",
            report.Entries[BrokerHealthChecks.Cluster].Description);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }
}
