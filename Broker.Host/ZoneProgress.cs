using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// The zones as the progress line and the live view show them: each zone's state and partitions hosted out of
/// those homed in it, and how many partitions are away from their home zone, e.g.
/// <c>a:Draining 2/6 b:Healthy 10/6 (4 away from home)</c>.
/// </summary>
internal static class ZoneProgress
{
    /// <summary>
    /// The zones as plain text, or null when there is nothing worth a line: nothing published yet, or only the
    /// implicit zone of nodes without <c>--zone</c>. With several consumers, each is named before its zones.
    /// </summary>
    public static string? Line(IReadOnlyList<ZoneSummary> zones) => Format(zones, (_, text) => text, s => s);

    /// <summary>The same as <see cref="Line"/> in Spectre markup, states coloured: Draining yellow, Failed red, Recovering blue.</summary>
    public static string? Markup(IReadOnlyList<ZoneSummary> zones) => Format(zones, (state, text) => state switch
    {
        "Draining" => $"[yellow]{text}[/]",
        "Failed" => $"[red]{text}[/]",
        "Recovering" => $"[blue]{text}[/]",
        _ => text,
    }, Spectre.Console.Markup.Escape);

    private static string? Format(IReadOnlyList<ZoneSummary> zones, Func<string, string, string> state, Func<string, string> escape)
    {
        if (!zones.Any(z => z.Zone is not null)) return null;
        var consumers = zones.GroupBy(z => z.Consumer).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        return string.Join("; ", consumers.Select(c =>
        {
            var text = string.Join(' ', c.OrderBy(z => z.Zone, StringComparer.Ordinal).Select(z =>
                $"{escape(z.Zone ?? "(none)")}:{state(z.State, z.State)} {z.ShardsHosted}/{z.ShardsHomed}"));
            // A partition not hosted in its home zone leaves that zone's hosted count below its homed count.
            var away = c.Sum(z => Math.Max(0, z.ShardsHomed - z.ShardsHosted));
            if (away > 0) text += $" ({away} away from home)";
            return consumers.Length > 1 ? $"{escape(c.Key)}: {text}" : text;
        }));
    }
}
