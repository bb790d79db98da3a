using System.Globalization;

namespace Broker.Inspection.Internal;

/// <summary>
/// Matches a request's words to a command (the longest command whose words start the request, so
/// <c>dlq replay x</c> is <c>dlq replay</c>, not <c>dlq</c>), then reads its positional arguments in order and
/// its <c>--name VALUE</c> options.
/// </summary>
internal static class CommandParser
{
    /// <exception cref="CommandUsageException">No command matches, or its arguments are missing, unknown or malformed.</exception>
    public static (InspectionCommand Command, CommandArguments Arguments) Parse(IReadOnlyList<string> words, IReadOnlyList<InspectionCommand> commands)
    {
        var command = commands
            .Where(c => c.Info.Words.Count <= words.Count
                        && c.Info.Words.Select((w, i) => string.Equals(w, words[i], StringComparison.OrdinalIgnoreCase)).All(m => m))
            .MaxBy(c => c.Info.Words.Count);
        if (command is null)
        {
            var given = string.Join(' ', words.TakeWhile(w => !w.StartsWith("--", StringComparison.Ordinal)));
            throw new CommandUsageException(
                given.Length == 0 ? "no command given." : $"unknown command '{given}'.", AllUsage(commands));
        }

        var info = command.Info;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var positionals = info.Arguments.Where(a => !a.IsOption).ToList();
        var next = 0;
        for (var i = info.Words.Count; i < words.Count; i++)
        {
            var word = words[i];
            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                var option = info.Arguments.FirstOrDefault(a => a.IsOption && "--" + a.Name == word)
                             ?? throw Usage(info, $"'{info.Name}' has no option {word}.");
                if (values.ContainsKey(option.Name)) throw Usage(info, $"{word} is given twice.");
                if (i + 1 >= words.Count) throw Usage(info, $"{word} needs a value ({option.ValueName}).");
                var value = words[++i];
                if (option.IsInteger && !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw Usage(info, $"{word} must be a whole number of at least 0, not '{value}'.");
                values[option.Name] = value;
            }
            else if (next < positionals.Count)
            {
                values[positionals[next++].Name] = word;
            }
            else
            {
                throw Usage(info, $"unexpected argument '{word}'.");
            }
        }
        if (next < positionals.Count) throw Usage(info, $"missing <{positionals[next].Name}>.");
        return (command, new CommandArguments(values));
    }

    /// <summary>Every command's usage line, one per line.</summary>
    public static string AllUsage(IEnumerable<InspectionCommand> commands) => string.Join('\n', commands.Select(c => c.Info.Usage));

    private static CommandUsageException Usage(InspectionCommandInfo info, string message) => new(message, info.Usage);
}
