using Akka.Actor;
using Akka.Hosting;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Broker.Tests.Hosting;

/// <summary>Bad configuration stops start-up with an error naming the key, the value and the fix.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BrokerConfigurationSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static BrokerConfiguration Configure(Dictionary<string, string?> values, Action<BrokerBuilder>? build = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new BrokerBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection());
        builder.AddConsumer<string, TestHandler>("orders");
        build?.Invoke(builder);
        return new BrokerConfiguration(configuration, builder.Build());
    }

    private static BrokerConfigurationException Fails(Dictionary<string, string?> values, Action<BrokerBuilder>? build = null) =>
        Assert.Throws<BrokerConfigurationException>(() => Configure(values, build));

    [Fact]
    public async Task A_bad_value_stops_the_host_before_anything_is_consumed()
    {
        var topic = kafka.CreateTopic(1);
        kafka.Produce(topic, [new Message<byte[]?, byte[]?> { Key = [1], Value = "x"u8.ToArray() }]);
        var log = new RecordLog();
        var config = TestNode.DefaultConfig(kafka.Bootstrap, "g-" + topic);
        config["Broker:Consumer:MaxInFlightPerPartition"] = "-5";

        var error = await Assert.ThrowsAsync<BrokerConfigurationException>(() => TestNode.StartAsync(config, topic, log, output));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("Broker:Consumer:MaxInFlightPerPartition = '-5'", problem);
        Assert.Contains("Fix:", problem);
        Assert.Equal(0, log.Count);
        var committed = CommittedOffset(topic, "g-" + topic);
        Assert.True(committed < 0, $"nothing was committed, got {committed}");
    }

    [Theory]
    [InlineData("Broker:Consumer:MaxInFlightPerKey", "lots", "not an integer")]
    [InlineData("Broker:Consumer:CommitInterval", "often", "not a duration")]
    [InlineData("Broker:Consumer:NullKeys", "drop", "not a known value")]
    [InlineData("Broker:Consumer:ResumeAt", "1.5", "must be at least 0 and below 1")]
    [InlineData("Broker:Embedded:Partitions", "0", "must be between 1 and 10000")]
    [InlineData("Broker:BootstrapServers", "kafka-without-port", "is not host:port")]
    [InlineData("Broker:Cluster:SeedNodes:0", "localhost:4053", "not an Akka address")]
    [InlineData("Broker:Kafka:enable.auto.commit", "true", "Broker sets this librdkafka property itself")]
    [InlineData("Broker:Consumer:MaxInflightPerKey2", "5", "not a Broker setting")]
    [InlineData("Broker:Kafka:security.protocol", "bogus", "librdkafka refuses it")]
    [InlineData("Broker:Kafka:no.such.property", "1", "librdkafka refuses it")]
    [InlineData("Broker:Memory:PauseAbove", "lots", "not a size")]
    [InlineData("Broker:Cluster:Weight", "0", "must be above 0 and at most 100")]
    [InlineData("Broker:Cluster:Weight", "heavy", "not a number")]
    [InlineData("Broker:Inspection:Port", "70000", "must be between 0 and 65535")]
    [InlineData("Broker:Zones:eu-west-1a:Weight", "0", "must be above 0 and at most 100")]
    [InlineData("Broker:Zones:eu-west-1a:Priority", "first", "not an integer")]
    [InlineData("Broker:Zones:eu-west-1a:Priority", "1001", "must be between 0 and 1000")]
    [InlineData("Broker:Zones:eu-west-1a:Colour", "red", "not a zone setting")]
    [InlineData("Broker:Inspection:Enabled", "sometimes", "not true or false")]
    [InlineData("Broker:Cluster:Hostname", "0.0.0.0", "would advertise '0.0.0.0', which no other node can connect to")]
    [InlineData("Broker:Cluster:PublicHostname", " ", "cannot be blank")]
    public void Each_problem_names_the_key_the_value_and_the_fix(string key, string value, string why)
    {
        var error = Fails(new() { [key] = value });
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"{key} = '{value}'", problem);
        Assert.Contains(why, problem);
        Assert.Contains("Fix:", problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Fails(new() { ["Broker:Consumer:MaxInFlightPerKey"] = "0", ["Broker:Cluster:Port"] = "70000" });
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("Broker:Cluster:Port", error.Message);
        Assert.Contains("Broker:Consumer:MaxInFlightPerKey", error.Message);
    }

    [Fact]
    public void Values_set_in_code_are_checked_too_and_named_by_consumer()
    {
        var error = Fails(new(), b => b.AddConsumer<string, TestHandler>("payments", c => c.Options.MaxInFlightPerKey = 5_000));
        var problem = Assert.Single(error.Problems);
        Assert.Contains("consumer 'payments'", problem);
        Assert.Contains("MaxInFlightPerKey = 5000 is above MaxInFlightPerPartition = 1000", problem);
        Assert.Contains("Broker:Consumer:MaxInFlightPerKey", problem);
    }

    [Fact]
    public void Two_consumers_of_one_topic_in_one_group_are_refused()
    {
        var error = Fails(new(), b => b.AddConsumer<string, TestHandler>("orders", c => c.Name = "orders-2"));
        Assert.Contains("consumed twice in group 'broker'", Assert.Single(error.Problems));
    }

    [Fact]
    public void Durations_accept_units_and_timespans_and_defaults_come_from_reference_conf()
    {
        var config = Configure(new()
        {
            ["Broker:Consumer:CommitInterval"] = "250ms",
            ["Broker:Consumer:DrainTimeout"] = "00:00:30",
            ["Broker:Consumer:PassivateIdleAfter"] = "2m",
        });
        var settings = config.Consumers.Single().Settings;
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.CommitInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.DrainTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.PassivateIdleAfter);
        Assert.Equal(1000, settings.MaxInFlightPerPartition);
        Assert.Equal(100, settings.MaxInFlightPerKey);
        Assert.Equal("broker", config.Consumers.Single().GroupId);
        Assert.True(config.Settings.UsesEmbeddedKafka);
        Assert.Equal(12, config.Settings.EmbeddedPartitions);
    }

    [Fact]
    public async Task The_weight_becomes_the_nodes_weight_role()
    {
        var topic = kafka.CreateTopic(1);
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, new RecordLog(), output,
            config: new Dictionary<string, string?> { ["Broker:Cluster:Weight"] = "2.5" });
        var system = node.Host.Services.GetRequiredService<ActorSystem>();
        Assert.Contains("weight:2.5", Akka.Cluster.Cluster.Get(system).SelfRoles);
    }

    [Fact]
    public async Task A_node_bound_to_every_interface_advertises_its_public_hostname_and_others_join_it_there()
    {
        var topic = kafka.CreateTopic(2);
        var group = "g-" + topic;
        await using var first = await TestNode.StartAsync(kafka, topic, group, new RecordLog(), output,
            config: new Dictionary<string, string?>
            {
                ["Broker:Cluster:Hostname"] = "0.0.0.0",
                ["Broker:Cluster:PublicHostname"] = "localhost",
            });
        Assert.Equal("localhost", first.Address.Host);

        await using var second = await TestNode.StartAsync(kafka, topic, group, new RecordLog(), output, name: "node-2",
            config: new Dictionary<string, string?> { ["Broker:Cluster:SeedNodes:0"] = first.Address.ToString() });
        await Eventually.Until(
            () => Akka.Cluster.Cluster.Get(first.System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2,
            TimeSpan.FromSeconds(60), () => "the second node joined through akka.tcp://broker@localhost:<port> and is Up");
    }

    [Fact]
    public async Task A_bad_placement_setting_in_hocon_stops_the_host_naming_the_key()
    {
        var topic = kafka.CreateTopic(1);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(TestNode.DefaultConfig(kafka.Bootstrap, "g-" + topic));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new RecordLog());
        builder.Services.AddSingleton(new TestBehavior());
        builder.Services.AddSingleton(new NodeName("node-1"));
        builder.Services.AddBroker(broker => broker
            .AddConsumer<string, TestHandler>(topic)
            .ConfigureAkka((akka, _) => akka.AddHocon("""
                broker.sharding.load-factor = 0.5
                """, HoconAddMode.Prepend)));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<BrokerConfigurationException>(() => host.StartAsync());

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("broker.sharding.load-factor = 0.5", problem);
        Assert.Contains("Fix:", problem);
    }

    private long CommittedOffset(string topic, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.Bootstrap, GroupId = group }).Build();
        return consumer.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10))[0].Offset.Value;
    }
}
