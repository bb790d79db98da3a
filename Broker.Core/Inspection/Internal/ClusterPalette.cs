using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Logging;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>
/// The <c>cluster</c> palette (pbm's vocabulary): membership as this node sees it, read from
/// <c>Cluster.Get(system).State</c> when asked, and the operator's membership actions.
/// </summary>
internal static class ClusterPalette
{
    private static readonly InspectionArgument AddressArgument =
        Positional("address", "A member's address as 'cluster show' prints it, e.g. akka.tcp://broker@10.0.0.5:4053.");

    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("cluster show", "Every member this node knows: address, status, reachability, roles; which is the leader and which is this node.", Show),
        Of("cluster leader", "The cluster leader and the leader of each role.", Leader),
        Of("cluster leave", "Asks the member to leave gracefully (it drains, commits and hands its partitions off).", Leave, AddressArgument),
        Of("cluster down", "Marks the member down (for a member that is gone: its partitions move without a drain).", Down, AddressArgument),
        Of("cluster down-unreachable", "Marks every member this node sees as unreachable down.", DownUnreachable),
        new(new InspectionCommandInfo("cluster tail", "Membership events (joined, up, left, exited, removed, unreachable, reachable, leader changed) as they happen, until you disconnect.",
            [], Streams: true))
        {
            Stream = (ctx, _, session) => ClusterTail.Props(session),
        },
    ];

    private static Task<object> Show(CommandContext ctx, CommandArguments _)
    {
        var cluster = Cluster.Get(ctx.System);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberRow(m.Address.ToString(), m.Status.ToString(), !unreachable.Contains(m.Address),
                m.Address == state.Leader, m.Address == cluster.SelfAddress, string.Join(",", m.Roles.Order(StringComparer.Ordinal))))
            .ToArray();
        return Task.FromResult<object>(new Membership(cluster.SelfAddress.ToString(), state.Leader?.ToString(),
            members.Count(m => m.Status == nameof(MemberStatus.Up)), unreachable.Count, members));
    }

    private static Task<object> Leader(CommandContext ctx, CommandArguments _)
    {
        var cluster = Cluster.Get(ctx.System);
        var state = cluster.State;
        var roles = state.AllRoles.Order(StringComparer.Ordinal)
            .Select(r => new RoleLeader(r, state.RoleLeader(r)?.ToString()))
            .ToArray();
        return Task.FromResult<object>(new Leadership(state.Leader?.ToString(), state.Leader == cluster.SelfAddress, roles));
    }

    private static Task<object> Leave(CommandContext ctx, CommandArguments args)
    {
        var (cluster, member) = Member(ctx, args["address"]);
        ctx.Logger.LogWarning("Inspection: cluster leave {Address} requested", member.Address);
        cluster.Leave(member.Address);
        return Task.FromResult<object>(new MembershipAction("leave", member.Address.ToString(), member.Status.ToString()));
    }

    private static Task<object> Down(CommandContext ctx, CommandArguments args)
    {
        var (cluster, member) = Member(ctx, args["address"]);
        ctx.Logger.LogWarning("Inspection: cluster down {Address} requested", member.Address);
        cluster.Down(member.Address);
        return Task.FromResult<object>(new MembershipAction("down", member.Address.ToString(), member.Status.ToString()));
    }

    private static Task<object> DownUnreachable(CommandContext ctx, CommandArguments _)
    {
        var cluster = Cluster.Get(ctx.System);
        var downed = cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToArray();
        foreach (var address in downed)
        {
            ctx.Logger.LogWarning("Inspection: cluster down-unreachable downs {Address}", address);
            cluster.Down(address);
        }
        return Task.FromResult<object>(new DownedMembers(downed.Select(a => new DownedMember(a.ToString())).ToArray()));
    }

    /// <exception cref="ArgumentException">The address does not parse or is not a member.</exception>
    private static (Cluster Cluster, Member Member) Member(CommandContext ctx, string text)
    {
        if (!Address.TryParse(text, out var address) || address.Port is null)
            throw new ArgumentException($"'{text}' is not an Akka address; write it as 'cluster show' prints it, e.g. akka.tcp://broker@10.0.0.5:4053.");
        var cluster = Cluster.Get(ctx.System);
        var state = cluster.State;
        var member = state.Members.Concat(state.Unreachable).FirstOrDefault(m => m.Address == address)
                     ?? throw new ArgumentException($"{address} is not a member; members: {string.Join(", ", state.Members.Select(m => m.Address))}.");
        return (cluster, member);
    }

    /// <summary>The answer to <c>cluster show</c>.</summary>
    public sealed record Membership(string Self, string? Leader, int Up, int Unreachable, IReadOnlyList<MemberRow> Members);

    /// <summary>One member: <paramref name="Reachable"/> as this node's failure detector sees it.</summary>
    public sealed record MemberRow(string Address, string Status, bool Reachable, bool Leader, bool Self, string Roles);

    /// <summary>The answer to <c>cluster leader</c>.</summary>
    public sealed record Leadership(string? Leader, bool IsSelf, IReadOnlyList<RoleLeader> Roles);

    /// <summary>The leader among the members of one role.</summary>
    public sealed record RoleLeader(string Role, string? Leader);

    /// <summary>The answer to <c>cluster leave</c> and <c>cluster down</c>: requested for a member that had <paramref name="StatusBefore"/>.</summary>
    public sealed record MembershipAction(string Action, string Address, string StatusBefore);

    /// <summary>The answer to <c>cluster down-unreachable</c>.</summary>
    public sealed record DownedMembers(IReadOnlyList<DownedMember> Downed);

    /// <summary>A member marked down.</summary>
    public sealed record DownedMember(string Address);
}
