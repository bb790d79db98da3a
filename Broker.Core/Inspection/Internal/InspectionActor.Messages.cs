namespace Broker.Inspection.Internal;

internal sealed partial class InspectionActor
{
    /// <summary>From a client connection: run <paramref name="Command"/> and answer through <paramref name="Session"/>.</summary>
    public sealed record Run(InspectionCommand Command, CommandArguments Arguments, CommandContext Context, CommandSession Session);
}
