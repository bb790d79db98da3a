using System.Diagnostics;
using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// Shows a run's progress until stopped: a live display refreshed every second on an interactive
/// console, or one plain line every 5 s when output is redirected (so logs and CI output stay readable).
/// </summary>
internal sealed class ProgressView(Func<RunSummary> capture, RecentLogs logs)
{
    /// <summary>
    /// True when progress is a live display: stdout is a terminal with ANSI support. Not Spectre's Interactive
    /// flag, which is also false when only stdin or stderr is redirected.
    /// </summary>
    public static bool IsLive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastHandled;
    private TimeSpan _last;

    /// <summary>Shows progress until <paramref name="stop"/> is cancelled; returns normally then.</summary>
    public Task RunAsync(CancellationToken stop) => IsLive ? LiveAsync(stop) : PlainAsync(stop);

    private Task LiveAsync(CancellationToken stop)
    {
        var first = capture();
        Rate(first);
        return AnsiConsole.Live(StatusView.Live(first, 0, logs.Lines))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async live =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                while (await TickAsync(timer, stop))
                {
                    var summary = capture();
                    live.UpdateTarget(StatusView.Live(summary, Rate(summary), logs.Lines));
                }
            });
    }

    private async Task PlainAsync(CancellationToken stop)
    {
        Rate(capture());
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await TickAsync(timer, stop))
        {
            var s = capture();
            var zones = ZoneProgress.Line(s.Zones) is { } z ? $"zones {z}  " : "";
            AnsiConsole.MarkupLineInterpolated(
                $"elapsed {s.ElapsedSeconds:F0}s  produced {s.Produced}  handled {s.Handled}  rate {Rate(s):F0}/s  in flight {s.InFlight}  lag {s.Lag}  dead-lettered {s.DeadLettered}  retried {s.Retried}  breaker {s.BreakerState}  paused {s.PausedPartitions}  heap {s.HeapMiB} MiB  rss {s.WorkingSetMiB} MiB  memory guard {(s.MemoryGuardPaused ? "pausing all" : "ok")}  skipped {s.Skipped}  {zones}node {s.Node}  partitions {StatusView.Ranges(s.AssignedPartitions)}");
            if (s.RecordsDroppedByEmbeddedKafka) AnsiConsole.MarkupLine(StatusView.DroppedWarning);
        }
    }

    /// <summary>Records handled per second since the previous call.</summary>
    private double Rate(RunSummary s)
    {
        var now = _clock.Elapsed;
        var seconds = (now - _last).TotalSeconds;
        var rate = seconds > 0 ? (s.Handled - _lastHandled) / seconds : 0;
        (_lastHandled, _last) = (s.Handled, now);
        return rate;
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
