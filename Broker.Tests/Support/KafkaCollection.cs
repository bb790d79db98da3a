namespace Broker.Tests.Support;

/// <summary>
/// Tests that run Broker nodes against the one embedded Kafka of <see cref="EmbeddedKafkaFixture"/>.
/// They run one after another: each starts a node, and a 2-core machine is best used by one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<EmbeddedKafkaFixture>
{
    public const string Name = "kafka";
}
