using Akka.Hosting;
using Broker.Hosting.Internal;
using Broker.Processing;
using Broker.Processing.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Hosting;

/// <summary>
/// Configures Broker inside <see cref="BrokerServiceCollectionExtensions.AddBroker"/>: the consumers,
/// option overrides in code, and extra Akka.NET set-up.
/// </summary>
public sealed class BrokerBuilder
{
    private readonly List<ConsumerRegistration> _consumers = new();
    private readonly List<Action<BrokerOptions>> _configurators = new();
    private readonly List<Action<AkkaConfigurationBuilder, IServiceProvider>> _akka = new();
    private string _systemName = "broker";

    internal BrokerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The application's service collection (register handler dependencies here or on it directly).</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The ActorSystem's name, the same on every node of one Broker cluster (it is part of every node's
    /// address). Default <c>broker</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name has characters an ActorSystem name cannot have.</exception>
    public BrokerBuilder WithSystemName(string name)
    {
        if (!BrokerOptionsValidator.IsValidSystemName(name))
            throw new ArgumentException($"'{name}' is not a valid ActorSystem name: use letters, digits, '-' and '_', starting with a letter or digit.", nameof(name));
        _systemName = name;
        return this;
    }

    /// <summary>
    /// Changes options after they are bound from the <c>Broker</c> configuration section (code wins).
    /// Runs when the host starts; the result is then checked.
    /// </summary>
    public BrokerBuilder Configure(Action<BrokerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configurators.Add(configure);
        return this;
    }

    /// <summary>
    /// Consumes <paramref name="topic"/>: each record's value is deserialized to <typeparamref name="TMessage"/>
    /// and handled by <typeparamref name="THandler"/> (registered as transient in the service collection
    /// unless already registered), one record at a time per key, keys in parallel.
    /// </summary>
    /// <param name="topic">The Kafka topic.</param>
    /// <param name="configure">Optional: name, group id, deserializer and tuning of this consumer.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is empty.</exception>
    public BrokerBuilder AddConsumer<TMessage, THandler>(string topic, Action<ConsumerDefinition<TMessage>>? configure = null)
        where THandler : class, IMessageHandler<TMessage>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var definition = new ConsumerDefinition<TMessage>(topic);
        configure?.Invoke(definition);
        var deserializer = definition.Deserializer ?? DefaultDeserializer<TMessage>();
        Services.TryAddTransient<THandler>();
        _consumers.Add(new ConsumerRegistration(definition.Name, topic, definition.GroupId, definition.Options,
            (services, lifetime, name, group) =>
                new TypedRecordHandler<TMessage, THandler>(services, lifetime, deserializer, name, group)));
        return this;
    }

    /// <summary>
    /// Adds Akka.NET set-up of your own (actors, HOCON) to the ActorSystem Broker runs in, via Akka.Hosting.
    /// Broker calls <c>AddAkka</c> itself; do not call it a second time.
    /// </summary>
    public BrokerBuilder ConfigureAkka(Action<AkkaConfigurationBuilder, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _akka.Add(configure);
        return this;
    }

    internal BrokerDefinition Build() => new(_systemName, _consumers.ToArray(), _configurators.ToArray(), _akka.ToArray());

    private static IMessageDeserializer<TMessage> DefaultDeserializer<TMessage>()
    {
        if (typeof(TMessage) == typeof(string)) return (IMessageDeserializer<TMessage>)(object)new Utf8StringDeserializer();
        if (typeof(TMessage) == typeof(byte[])) return (IMessageDeserializer<TMessage>)(object)new ByteArrayDeserializer();
        return new JsonMessageDeserializer<TMessage>();
    }
}
