using Broker.Processing;

namespace Broker.Hosting;

/// <summary>
/// One consumer: a topic, the consumer group it commits to, how its values deserialize and its tuning.
/// Passed to the configure callback of <see cref="BrokerBuilder.AddConsumer{TMessage, THandler}"/>.
/// </summary>
/// <typeparam name="TMessage">The message type records deserialize to.</typeparam>
public sealed class ConsumerDefinition<TMessage>
{
    internal ConsumerDefinition(string topic)
    {
        Topic = topic;
        Name = topic;
    }

    /// <summary>The Kafka topic consumed.</summary>
    public string Topic { get; }

    /// <summary>
    /// The consumer's name: labels its metrics, names its sharding region (<c>broker-{Name}</c>) and shows in
    /// inspection. Unique per node. Default: the topic.
    /// </summary>
    public string Name { get; set; }

    /// <summary>The consumer group its offsets are committed to. Default: <see cref="BrokerOptions.GroupId"/>.</summary>
    public string? GroupId { get; set; }

    /// <summary>
    /// Turns value bytes into <typeparamref name="TMessage"/>. Default: strict UTF-8 for <see cref="string"/>,
    /// the bytes for <see cref="byte"/>[], else <see cref="JsonMessageDeserializer{TMessage}"/>.
    /// </summary>
    public IMessageDeserializer<TMessage>? Deserializer { get; set; }

    /// <summary>This consumer's tuning; set values override the <c>Broker:Consumer</c> configuration section.</summary>
    public ConsumerOptions Options { get; } = new();
}
