using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Broker.Inspection;
using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// The inspection verbs (<c>cluster show</c>, <c>consumers</c>, <c>dlq replay</c>, ...): one command per
/// <see cref="InspectionClient.Commands"/> entry, so the CLI speaks exactly the vocabulary the node serves. Each
/// connects to a node (<c>--host</c>, <c>--port</c>, <c>--token</c>), sends the command and prints the answer as
/// tables, or as JSON with <c>--json</c>.
/// </summary>
internal static class InspectCommands
{
    /// <summary>Exit code when the node answered with an error (other than a usage error).</summary>
    public const int NodeError = 2;

    /// <summary>Exit code when the node could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Exit code of <c>health</c> when the node is Unhealthy.</summary>
    public const int Unhealthy = 4;

    /// <summary>Exit code for a usage error (System.CommandLine's own, and the node's).</summary>
    private const int UsageError = 1;

    /// <summary>Environment variable the token is read from when <c>--token</c> is not given (the node's own setting's name).</summary>
    private const string TokenVariable = "Broker__Inspection__Token";

    /// <summary>Adds every inspection command to <paramref name="root"/>, grouped by palette (<c>cluster</c>, <c>cluster-sharding</c>, ...).</summary>
    public static void AddTo(RootCommand root)
    {
        var commands = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (var info in InspectionClient.Commands)
        {
            Command parent = root;
            var words = info.Words;
            for (var i = 0; i < words.Count; i++)
            {
                var path = string.Join(' ', words.Take(i + 1));
                if (!commands.TryGetValue(path, out var command))
                {
                    command = new Command(words[i], $"Inspection commands '{path} ...' (see their help).");
                    parent.Subcommands.Add(command);
                    commands[path] = command;
                }
                parent = command;
            }
            Configure(parent, info);
        }
    }

    private static void Configure(Command command, InspectionCommandInfo info)
    {
        command.Description = info.Description + " (Asks a running node; see --host, --port, --token.)";
        var positionals = new List<(InspectionArgument Info, Argument<string> Argument)>();
        var options = new List<(InspectionArgument Info, Option Option)>();
        foreach (var a in info.Arguments)
        {
            if (!a.IsOption)
            {
                var argument = new Argument<string>(a.Name) { Description = a.Description, HelpName = a.ValueName };
                command.Arguments.Add(argument);
                positionals.Add((a, argument));
            }
            else
            {
                Option option = a.IsInteger
                    ? new Option<long?>("--" + a.Name) { Description = a.Description, HelpName = a.ValueName }.InRange(0)
                    : new Option<string?>("--" + a.Name) { Description = a.Description, HelpName = a.ValueName };
                command.Options.Add(option);
                options.Add((a, option));
            }
        }
        var host = new Option<string>("--host")
        {
            Description = "The node's inspection address (Broker:Inspection:Hostname).",
            HelpName = "HOST",
            DefaultValueFactory = _ => InspectionClient.DefaultHost,
        };
        var port = new Option<int>("--port")
        {
            Description = "The node's inspection port (Broker:Inspection:Port; a node started with 0 prints the one it took).",
            HelpName = "PORT",
            DefaultValueFactory = _ => InspectionClient.DefaultPort,
        }.InRange(1, 65535);
        var token = new Option<string?>("--token")
        {
            Description = $"The node's Broker:Inspection:Token, when it has one. Default: the {TokenVariable} environment variable.",
            HelpName = "TOKEN",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable),
        };
        var json = new Option<bool>("--json") { Description = "Print the node's answer as JSON instead of tables." };
        foreach (var option in new Option[] { host, port, token, json }) command.Options.Add(option);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var args = new List<string>(info.Words);
            args.AddRange(positionals.Select(p => parse.GetValue(p.Argument)!));
            foreach (var (a, option) in options)
            {
                var value = option switch
                {
                    Option<long?> integer => parse.GetValue(integer)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Option<string?> text => parse.GetValue(text),
                    _ => null,
                };
                if (value is not null) args.AddRange(["--" + a.Name, value]);
            }
            var client = new InspectionClient(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(token));
            try
            {
                return info.Streams
                    ? await StreamAsync(client, args, parse.GetValue(json))
                    : await QueryAsync(client, args, parse.GetValue(json), cancellationToken);
            }
            catch (InspectionException e)
            {
                Terminal.Error.MarkupLineInterpolated($"[red]error: {e.Message}[/]");
                return Unreachable;
            }
        });
    }

    private static async Task<int> QueryAsync(InspectionClient client, List<string> args, bool json, CancellationToken cancellationToken)
    {
        var reply = await client.SendAsync(args, cancellationToken);
        if (!reply.Ok) return Refused(reply);
        var result = reply.Result!.Value;
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            InspectionView.Write(AnsiConsole.Console, result);
        }
        return reply.Command == "health"
               && result.TryGetProperty("status", out var status)
               && status.GetString() == "Unhealthy"
            ? Unhealthy
            : 0;
    }

    private static async Task<int> StreamAsync(InspectionClient client, List<string> args, bool json)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // end the stream and exit 0: interrupting a tail is how it is meant to end
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        await using var stream = await client.OpenStreamAsync(args, stop.Token);
        if (!stream.Reply.Ok) return Refused(stream.Reply);
        Terminal.Error.MarkupLineInterpolated($"[grey]{stream.Reply.Command}: events as they happen; Ctrl+C to stop.[/]");
        try
        {
            while (await stream.ReadAsync(stop.Token) is { } e)
            {
                if (json) Console.Out.WriteLine(e.GetRawText());
                else AnsiConsole.WriteLine(InspectionView.Line(e));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        if (stream.Error is { } error)
        {
            Terminal.Error.MarkupLineInterpolated($"[red]error: {error}[/]");
            return NodeError;
        }
        return 0;
    }

    private static int Refused(InspectionReply reply)
    {
        Terminal.Error.MarkupLineInterpolated($"[red]error: {reply.Error}[/]");
        if (reply.Usage is { } usage)
        {
            Terminal.Error.WriteLine("Usage:");
            foreach (var line in usage.Split('\n')) Terminal.Error.WriteLine("  " + line);
        }
        return reply.ErrorCode == InspectionReply.UsageError ? UsageError : NodeError;
    }
}
