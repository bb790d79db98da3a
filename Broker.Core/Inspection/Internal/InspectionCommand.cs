using Akka.Actor;

namespace Broker.Inspection.Internal;

/// <summary>
/// One command of a palette: what it is (<see cref="Info"/>) and how it runs. A query runs in its own
/// <see cref="CommandRunner"/> actor and answers once (<see cref="Query"/>); a stream is an actor of its own
/// that emits events into the session until the client disconnects (<see cref="Stream"/>).
/// </summary>
internal sealed record InspectionCommand(InspectionCommandInfo Info)
{
    /// <summary>The query: reads the node's state when called and returns the answer (serialized as JSON).</summary>
    public Func<CommandContext, CommandArguments, Task<object>>? Query { get; init; }

    /// <summary>The stream: props of the actor that feeds the session.</summary>
    public Func<CommandContext, CommandArguments, CommandSession, Props>? Stream { get; init; }

    /// <summary>How long the query may run before the client is told it timed out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public static InspectionCommand Of(string name, string description, Func<CommandContext, CommandArguments, Task<object>> query,
        params InspectionArgument[] arguments) =>
        new(new InspectionCommandInfo(name, description, arguments)) { Query = query };

    public static InspectionArgument Positional(string name, string description) => new(name, name, description, IsOption: false, IsInteger: false);

    public static InspectionArgument Option(string name, string valueName, string description, bool integer = true) =>
        new(name, valueName, description, IsOption: true, IsInteger: integer);
}
