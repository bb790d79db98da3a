using Akka.Hosting;

namespace Broker.Hosting.Internal;

/// <summary>Everything <see cref="BrokerBuilder"/> collected in code.</summary>
internal sealed record BrokerDefinition(
    string SystemName,
    IReadOnlyList<ConsumerRegistration> Consumers,
    IReadOnlyList<Action<BrokerOptions>> Configurators,
    IReadOnlyList<Action<AkkaConfigurationBuilder, IServiceProvider>> AkkaConfigurators);
