using Spectre.Console;

namespace Broker.Host;

/// <summary>The Spectre consoles Broker.Host writes to: <see cref="AnsiConsole"/> for stdout, <see cref="Error"/> for stderr.</summary>
internal static class Terminal
{
    // Spectre wraps redirected output at 80 columns; scripts and logs want whole lines.
    private const int RedirectedWidth = 4096; // a progress line with zones and many partitions passes 240

    /// <summary>A console on stderr, for errors that must not mix with stdout.</summary>
    public static IAnsiConsole Error { get; } = CreateError();

    /// <summary>Stops Spectre from wrapping stdout at 80 columns when it is redirected.</summary>
    public static void WidenWhenRedirected()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = RedirectedWidth;
    }

    private static IAnsiConsole CreateError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
