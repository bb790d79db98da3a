using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Broker.Hosting.Internal;

/// <summary>
/// The first hosted service Broker registers: binds and checks the configuration before the ActorSystem,
/// Kafka clients or anything else start, so a bad value stops the host with nothing consumed.
/// </summary>
internal sealed class BrokerStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<BrokerConfiguration>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
