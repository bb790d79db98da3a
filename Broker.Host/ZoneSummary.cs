using Broker.Inspection;

namespace Broker.Host;

/// <summary>One zone of one consumer in a <see cref="RunSummary"/>, as this node last received it (<see cref="BrokerStatus.Zones"/>).</summary>
/// <param name="Consumer">The consumer's name.</param>
/// <param name="Zone">The zone's name; null for the implicit zone of nodes without one.</param>
/// <param name="State"><c>Healthy</c>, <c>Draining</c>, <c>Failed</c> or <c>Recovering</c>.</param>
/// <param name="Since">When the state last changed (UTC).</param>
/// <param name="Score">The zone's health score, 0..100, to one decimal.</param>
/// <param name="Nodes">Akka addresses of the zone's nodes.</param>
/// <param name="ShardsHomed">Partitions whose home zone this is.</param>
/// <param name="ShardsHosted">Partitions the zone's nodes host.</param>
internal sealed record ZoneSummary(
    string Consumer,
    string? Zone,
    string State,
    DateTimeOffset Since,
    double Score,
    IReadOnlyList<string> Nodes,
    int ShardsHomed,
    int ShardsHosted)
{
    /// <summary>The summary of <paramref name="z"/>.</summary>
    public static ZoneSummary From(ZonePlacementStatus z) => new(z.Consumer, z.Zone.Length == 0 ? null : z.Zone, z.State.ToString(), z.Since,
        Math.Round(z.Score, 1, MidpointRounding.AwayFromZero), z.Nodes, z.ShardsHomed, z.ShardsHosted);
}
