namespace Broker.Inspection.Internal;

/// <summary>Every command a node serves, palette by palette, in the order <c>help</c> lists them. A new palette is one more line here.</summary>
internal static class InspectionCommands
{
    public static IReadOnlyList<InspectionCommand> All { get; } =
    [
        .. ActorPalette.Commands,
        .. ClusterPalette.Commands,
        .. ShardingPalette.Commands,
        .. ConsumersPalette.Commands,
        .. ZonesPalette.Commands,
        .. NodePalette.Commands,
    ];
}
