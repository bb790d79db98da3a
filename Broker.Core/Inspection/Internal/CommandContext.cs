using Akka.Actor;
using Broker.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace Broker.Inspection.Internal;

/// <summary>What a command reads the node's state from, and when to give up.</summary>
/// <param name="System">The node's ActorSystem.</param>
/// <param name="Runtime">The node's consumers, memory guard and Kafka endpoint.</param>
/// <param name="Services">The host's services (the health check service).</param>
/// <param name="Logger">For commands that change something (leave, down, replay).</param>
/// <param name="Cancellation">Fires when the client disconnects, the query times out or the node stops.</param>
internal sealed record CommandContext(ActorSystem System, BrokerRuntime Runtime, IServiceProvider Services, ILogger Logger,
    CancellationToken Cancellation)
{
    /// <summary>How long a question to another actor (a sharding region, the poll thread) may take.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
}
