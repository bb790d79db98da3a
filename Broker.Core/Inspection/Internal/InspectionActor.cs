using Akka.Actor;

namespace Broker.Inspection.Internal;

/// <summary>
/// The node's command host actor (<c>/user/broker-inspection</c>): starts one child per request, a
/// <see cref="CommandRunner"/> for a query or the command's own actor for a stream, so every command reads
/// the node's state from inside the ActorSystem when it is asked. A child that fails is stopped, never
/// restarted: a command (a <c>cluster leave</c>, a replay) must not run twice.
/// </summary>
internal sealed partial class InspectionActor : ReceiveActor
{
    public const string Name = "broker-inspection";

    public InspectionActor()
    {
        Receive<Run>(run =>
        {
            var props = run.Command.Stream is { } stream
                ? stream(run.Context, run.Arguments, run.Session)
                : CommandRunner.Props(run.Command, run.Context, run.Arguments, run.Session);
            Context.ActorOf(props);
        });
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    public static Props Props() => Akka.Actor.Props.Create(() => new InspectionActor());
}
