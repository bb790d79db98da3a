using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>The node-level commands: <c>health</c> (the host's health checks, Broker's included) and <c>help</c>.</summary>
internal static class NodePalette
{
    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("health", "Runs the host's health checks (Broker's: cluster member Up, consumers assigned and polling, breakers not Open, memory guard not tripped) and reports each.", Health),
        Of("help", "Every command with its arguments.", Help),
    ];

    private static async Task<object> Health(CommandContext ctx, CommandArguments _)
    {
        var service = ctx.Services.GetRequiredService<HealthCheckService>();
        var report = await service.CheckHealthAsync(ctx.Cancellation).ConfigureAwait(false);
        var checks = report.Entries
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new CheckRow(e.Key, e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message ?? "",
                Math.Round(e.Value.Duration.TotalMilliseconds, 1)))
            .ToArray();
        return new HealthView(report.Status.ToString(), checks);
    }

    private static Task<object> Help(CommandContext ctx, CommandArguments _) =>
        Task.FromResult<object>(new HelpView(InspectionCommands.All
            .Select(c => new HelpRow(c.Info.Usage, c.Info.Description))
            .ToArray()));

    /// <summary>The answer to <c>health</c>: the worst status of all checks, then each.</summary>
    public sealed record HealthView(string Status, IReadOnlyList<CheckRow> Checks);

    /// <summary>One health check: Healthy, Degraded or Unhealthy, why, and how long it took.</summary>
    public sealed record CheckRow(string Name, string Status, string Description, double DurationMs);

    /// <summary>The answer to <c>help</c>.</summary>
    public sealed record HelpView(IReadOnlyList<HelpRow> Commands);

    /// <summary>One command's usage line and meaning.</summary>
    public sealed record HelpRow(string Command, string Description);
}
