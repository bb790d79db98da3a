using System.Globalization;

namespace Broker.Sharding.Internal;

/// <summary>
/// The cluster roles through which a node tells shard placement about itself: <c>weight:N</c>, its share of
/// the shards relative to the other nodes' weights (a positive number; 1 when absent or not valid), and
/// <c>zone:NAME</c>, the zone it runs in (none when absent or empty).
/// </summary>
internal static class NodeRoles
{
    public const string WeightPrefix = "weight:";

    public const string ZonePrefix = "zone:";

    public static string? Zone(IEnumerable<string> roles)
    {
        foreach (var role in roles)
            if (role.Length > ZonePrefix.Length && role.StartsWith(ZonePrefix, StringComparison.Ordinal))
                return role[ZonePrefix.Length..];
        return null;
    }

    public static string WeightRole(double weight) => WeightPrefix + weight.ToString("R", CultureInfo.InvariantCulture);

    public static double Weight(IEnumerable<string> roles)
    {
        foreach (var role in roles)
        {
            if (role.StartsWith(WeightPrefix, StringComparison.Ordinal)
                && double.TryParse(role.AsSpan(WeightPrefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
                && double.IsFinite(weight) && weight > 0)
                return weight;
        }
        return 1;
    }
}
