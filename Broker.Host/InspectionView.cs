using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// Renders any inspection answer: an object's plain values as a two-column grid, each list of objects as a table
/// (one column per field), nested objects the same way under their name. Works for every command, including ones
/// a newer node adds, because it follows the JSON, not the command.
/// </summary>
internal static class InspectionView
{
    /// <summary>Writes <paramref name="value"/> (a JSON object) to <paramref name="console"/>.</summary>
    public static void Write(IAnsiConsole console, JsonElement value, string? title = null)
    {
        if (title is not null) console.MarkupLineInterpolated($"[bold]{Words(title)}[/]");
        var grid = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn();
        var rows = 0;
        foreach (var p in value.EnumerateObject())
        {
            if (IsPlain(p.Value))
            {
                grid.AddRow(new Markup($"[grey]{Markup.Escape(Words(p.Name))}[/]"), new Text(Format(p.Value)));
                rows++;
            }
        }
        if (rows > 0) console.Write(grid);
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                Write(console, p.Value, p.Name);
            }
            else if (p.Value.ValueKind == JsonValueKind.Array && !IsPlain(p.Value))
            {
                var items = p.Value.EnumerateArray().ToArray();
                if (items.Length == 0)
                {
                    console.MarkupLineInterpolated($"[grey]{Words(p.Name)}: none[/]");
                    continue;
                }
                console.MarkupLineInterpolated($"[bold]{Words(p.Name)}[/]");
                console.Write(Table(items));
            }
        }
    }

    /// <summary>One event of a stream as a line: its values in order, separated by two spaces.</summary>
    public static string Line(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
            ? string.Join("  ", e.EnumerateObject().Select(p => Format(p.Value)))
            : Format(e);

    private static Table Table(JsonElement[] items)
    {
        var columns = items.Where(i => i.ValueKind == JsonValueKind.Object)
            .SelectMany(i => i.EnumerateObject().Select(p => p.Name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in columns)
        {
            var numeric = items.All(i => !i.TryGetProperty(c, out var v) || v.ValueKind is JsonValueKind.Number or JsonValueKind.Null);
            var column = new TableColumn($"[grey]{Markup.Escape(Words(c))}[/]");
            table.AddColumn(numeric ? column.RightAligned() : column);
        }
        foreach (var item in items)
            table.AddRow(columns.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(
                item.TryGetProperty(c, out var v) ? Format(v) : "")).ToArray());
        return table;
    }

    private static bool IsPlain(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => false,
        JsonValueKind.Array => v.EnumerateArray().All(i => i.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)),
        _ => true,
    };

    private static string Format(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => "-",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.Array => v.GetArrayLength() == 0 ? "none" : string.Join(", ", v.EnumerateArray().Select(Format)),
        _ => v.GetRawText(),
    };

    /// <summary><c>deadLetterTopic</c> → <c>dead letter topic</c>.</summary>
    private static string Words(string camel)
    {
        var s = new StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsUpper(c) && s.Length > 0) s.Append(' ');
            s.Append(char.ToLower(c, CultureInfo.InvariantCulture));
        }
        return s.ToString();
    }
}
