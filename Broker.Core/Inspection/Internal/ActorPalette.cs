using Akka.Actor;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>
/// The <c>actor</c> palette: the node's actor tree walked from the root guardian when asked, with each
/// actor's mailbox size (every local mailbox counts its messages; Broker's entity mailboxes are bounded).
/// Bounded output: at most <c>--children</c> children per actor (busiest first) and <see cref="MaxRows"/> rows.
/// </summary>
internal static class ActorPalette
{
    private const int DefaultChildren = 20;
    private const int MaxChildren = 1000;

    /// <summary>The most actors one answer lists; the rest are counted in <c>omitted</c>.</summary>
    public const int MaxRows = 5000;

    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("actor hierarchy", "The node's actor tree, depth first: each actor's path, messages waiting in its mailbox, and number of children.",
            Hierarchy,
            Option("children", "N", $"Children listed per actor, busiest mailbox first (default {DefaultChildren}, at most {MaxChildren}); the rest are counted.")),
    ];

    private static Task<object> Hierarchy(CommandContext ctx, CommandArguments args)
    {
        var perParent = (int)Math.Min(args.Integer("children") ?? DefaultChildren, MaxChildren);
        var root = ((ExtendedActorSystem)ctx.System).Provider.RootGuardian;
        var rows = new List<ActorRow>();
        long omitted = 0;
        var stack = new Stack<IActorRef>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var actor = stack.Pop();
            if (rows.Count >= MaxRows)
            {
                omitted++;
                continue;
            }
            var cell = (actor as ActorRefWithCell)?.Underlying;
            var children = (actor as ActorRefWithCell)?.Children.ToArray() ?? [];
            var listed = children
                .Select(c => (Ref: c, Mailbox: Mailbox(c)))
                .OrderByDescending(c => c.Mailbox ?? -1)
                .ThenBy(c => c.Ref.Path.Name, StringComparer.Ordinal)
                .Take(perParent)
                .ToArray();
            omitted += children.Length - listed.Length;
            rows.Add(new ActorRow(actor.Path.ToStringWithoutAddress(), cell?.NumberOfMessages, children.Length, children.Length - listed.Length));
            for (var i = listed.Length - 1; i >= 0; i--) stack.Push(listed[i].Ref);
        }
        return Task.FromResult<object>(new HierarchyView(ctx.System.Name, rows.Count, omitted, rows));
    }

    private static int? Mailbox(IActorRef actor) => (actor as ActorRefWithCell)?.Underlying.NumberOfMessages;

    /// <summary>The answer to <c>actor hierarchy</c>: <paramref name="Listed"/> actors, <paramref name="Omitted"/> more not listed.</summary>
    public sealed record HierarchyView(string System, int Listed, long Omitted, IReadOnlyList<ActorRow> Actors);

    /// <summary>
    /// One actor: messages waiting in its mailbox (null where not known: a remote or not yet started actor),
    /// its children, and how many of them are not listed.
    /// </summary>
    public sealed record ActorRow(string Path, int? Mailbox, int Children, int NotListed);
}
