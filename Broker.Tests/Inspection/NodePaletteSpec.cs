using Broker.Inspection;
using Broker.Tests.Support;
using Xunit.Abstractions;

namespace Broker.Tests.Inspection;

/// <summary><c>help</c> and <c>health</c> against a live node.</summary>
[Collection(KafkaCollection.Name)]
public sealed class NodePaletteSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_lists_every_command_with_its_arguments()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);

        var help = await Inspect.Query(node, "help");

        var usages = help.Rows("commands").Select(c => c.Text("command")!).ToArray();
        Assert.Equal(InspectionClient.Commands.Select(c => c.Usage), usages);
        Assert.Equal(new[]
        {
            "actor hierarchy [--children N]",
            "cluster show", "cluster leader", "cluster leave <address>", "cluster down <address>", "cluster down-unreachable", "cluster tail",
            "cluster-sharding regions", "cluster-sharding region-stats <type>", "cluster-sharding shard-stats <type>",
            "consumers", "breakers", "dlq", "dlq replay <topic> [--partition P] [--from OFFSET] [--count N]",
            "zones",
            "health", "help",
        }, usages);
        Assert.All(help.Rows("commands"), c => Assert.False(string.IsNullOrWhiteSpace(c.Text("description"))));
    }

    [Fact]
    public async Task Health_reports_each_of_brokers_checks_and_the_overall_status()
    {
        var topic = kafka.CreateTopic(2);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output);

        var health = await Inspect.Until(node, ["health"],
            h => h.Text("status") == "Healthy" && h.Rows("checks").Any(c => c.Text("description")!.Contains("2 partition(s)")), Timeout,
            "healthy once both partitions are assigned");

        var checks = health.Rows("checks").ToDictionary(c => c.Text("name")!);
        Assert.Equal([BrokerHealthChecks.Breakers, BrokerHealthChecks.Cluster, BrokerHealthChecks.Consumers, BrokerHealthChecks.Memory], checks.Keys);
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.Text("status")));
        Assert.Equal($"{topic}: 2 partition(s), polling.", checks[BrokerHealthChecks.Consumers].Text("description"));
        Assert.Matches(@"^akka\.tcp://broker@127\.0\.0\.1:\d+ is Up; 1 member\(s\), 0 unreachable\.$", checks[BrokerHealthChecks.Cluster].Text("description"));
    }
}
