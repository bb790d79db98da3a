using System.Globalization;

namespace Broker.Inspection.Internal;

/// <summary>The arguments of one parsed command line, by name (positional names and option names without dashes).</summary>
internal sealed class CommandArguments(IReadOnlyDictionary<string, string> values)
{
    public static readonly CommandArguments None = new(new Dictionary<string, string>());

    /// <summary>A positional argument (the parser guarantees it is present).</summary>
    public string this[string name] => values[name];

    /// <summary>An integer option, or null when it was not given (the parser checked its format).</summary>
    public long? Integer(string name) =>
        values.TryGetValue(name, out var v) ? long.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture) : null;
}
