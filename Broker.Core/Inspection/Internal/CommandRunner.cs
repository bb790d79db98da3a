using Akka.Actor;

namespace Broker.Inspection.Internal;

/// <summary>Runs one query command and answers its session, then stops.</summary>
internal sealed class CommandRunner : ReceiveActor
{
    private readonly CommandSession _session;

    public CommandRunner(InspectionCommand command, CommandContext context, CommandArguments arguments, CommandSession session)
    {
        _session = session;
        ReceiveAsync<Go>(async _ =>
        {
            try
            {
                _session.Answer(await command.Query!(context, arguments));
            }
            catch (Exception e)
            {
                _session.Fail(e);
            }
            Context.Stop(Self);
        });
    }

    public static Props Props(InspectionCommand command, CommandContext context, CommandArguments arguments, CommandSession session) =>
        Akka.Actor.Props.Create(() => new CommandRunner(command, context, arguments, session));

    protected override void PreStart() => Self.Tell(Go.Instance);

    protected override void PostStop() => _session.EndStream();

    private sealed class Go
    {
        public static readonly Go Instance = new();
    }
}
