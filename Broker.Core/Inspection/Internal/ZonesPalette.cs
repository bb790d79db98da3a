using System.Text.Json.Serialization;
using Broker.Sharding.Internal;
using Broker.Zones.Internal;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>
/// The <c>zones</c> command: each consumer's zones as its shard coordinator last published them and this node
/// received them (<see cref="IZoneView"/>), so any node answers for the whole cluster; read when asked.
/// </summary>
internal static class ZonesPalette
{
    /// <summary>How the implicit zone (nodes without <c>Broker:Cluster:Zone</c>) is shown.</summary>
    public const string ImplicitZone = "(none)";

    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("zones", "Each consumer's zones as its shard coordinator last published them: nodes, health score (0..100), failover state " +
                    "(Healthy, Draining, Failed, Recovering) and since when, partition shards whose home is the zone and shards its nodes host.", Zones),
    ];

    private static Task<object> Zones(CommandContext ctx, CommandArguments _)
    {
        var cluster = Akka.Cluster.Cluster.Get(ctx.System);
        return Task.FromResult<object>(Answer(cluster.SelfAddress.ToString(), NodeRoles.Zone(cluster.SelfRoles), ctx.Runtime.Zones));
    }

    /// <summary>
    /// The answer from <paramref name="view"/> (null before Broker has started on this node); <paramref name="localZone"/>
    /// is this node's zone from its cluster roles, used while there is no view.
    /// </summary>
    public static ZonesView Answer(string node, string? localZone, IZoneView? view)
    {
        if (view is null)
            return new ZonesView(node, Show(localZone), "No zone placement yet: Broker has not started on this node (its zone view starts with it).", []);
        var rows = view.Zones
            .OrderBy(z => z.Consumer, StringComparer.Ordinal)
            .ThenBy(z => z.Zone, StringComparer.Ordinal)
            .Select(z => new ZoneRow(z.Consumer, Show(z.Zone), z.Nodes, Math.Round(z.Score, 1, MidpointRounding.AwayFromZero), z.State, z.Since, z.ShardsHomed, z.ShardsHosted))
            .ToArray();
        var note = rows.Length == 0
            ? "No zone placement published yet: each consumer's shard coordinator publishes it once it has placed the consumer's partitions."
            : null;
        return new ZonesView(node, Show(view.LocalZone), note, rows);
    }

    private static string Show(string? zone) => string.IsNullOrEmpty(zone) ? ImplicitZone : zone;

    /// <summary>
    /// The answer to <c>zones</c>: the node that answered and its zone, why there are no rows when there are none
    /// (<paramref name="Note"/>, omitted otherwise), and one row per consumer and zone.
    /// </summary>
    public sealed record ZonesView(
        string Node,
        string LocalZone,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note,
        IReadOnlyList<ZoneRow> Zones);

    /// <summary>
    /// One zone of one consumer: <paramref name="Zone"/> (<c>(none)</c> for the implicit zone of nodes without one), its
    /// member addresses, health score 0..100 (one decimal), failover state since when, partition shards whose home zone it is
    /// and shards its nodes host now (hosted below homed: shards are away or on their way; above: it hosts another zone's).
    /// </summary>
    public sealed record ZoneRow(string Consumer, string Zone, IReadOnlyList<string> Nodes, double Score, ZoneState State, DateTimeOffset Since,
        int ShardsHomed, int ShardsHosted);
}
