using Microsoft.Extensions.Hosting;

namespace Broker.Inspection.Internal;

/// <summary>
/// Binds the command port when the host starts, after the configuration check and before the ActorSystem (so a
/// taken port stops start-up before anything consumes), and closes it when the host stops, after the ActorSystem.
/// </summary>
internal sealed class InspectionStartup(InspectionHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        host.Listen();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => host.StopAsync();
}
