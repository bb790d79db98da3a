namespace Broker.Inspection;

/// <summary>An inspection command a node serves: its words, arguments and meaning (see <see cref="InspectionClient.Commands"/>).</summary>
/// <param name="Name">The command's words, e.g. <c>cluster show</c> or <c>dlq replay</c>; its first word is its palette.</param>
/// <param name="Description">What it answers or does.</param>
/// <param name="Arguments">Positional arguments (in order), then options.</param>
/// <param name="Streams">True when the answer is a stream of events until the client disconnects (<c>cluster tail</c>).</param>
public sealed record InspectionCommandInfo(string Name, string Description, IReadOnlyList<InspectionArgument> Arguments, bool Streams = false)
{
    /// <summary>The usage line, e.g. <c>dlq replay &lt;topic&gt; [--from OFFSET] [--count N]</c>.</summary>
    public string Usage => Arguments.Count == 0 ? Name : Name + " " + string.Join(" ", Arguments.Select(a => a.Usage));

    /// <summary>The command's words, e.g. <c>["cluster", "show"]</c>.</summary>
    public IReadOnlyList<string> Words => Name.Split(' ');
}
