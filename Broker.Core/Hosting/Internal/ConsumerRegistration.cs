using Broker.Processing.Internal;

namespace Broker.Hosting.Internal;

/// <summary>A consumer as registered in code, before configuration is bound.</summary>
/// <param name="Name">Unique consumer name.</param>
/// <param name="Topic">The topic.</param>
/// <param name="GroupId">Group id from code, or null for Broker:GroupId.</param>
/// <param name="Options">Tuning set in code.</param>
/// <param name="CreateHandler">Builds the record handler from the service provider, lifetime, consumer name and group id.</param>
internal sealed record ConsumerRegistration(
    string Name,
    string Topic,
    string? GroupId,
    ConsumerOptions Options,
    Func<IServiceProvider, HandlerLifetime, string, string, RecordHandler> CreateHandler);
