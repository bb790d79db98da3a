using Spectre.Console;
using Spectre.Console.Rendering;

namespace Broker.Host;

/// <summary>The Spectre renderings of a <see cref="RunSummary"/> shared by the live view and the final summary.</summary>
internal static class StatusView
{
    /// <summary>The warning shown while the embedded Kafka has dropped records.</summary>
    public const string DroppedWarning =
        "[red]Warning: the embedded Kafka dropped its oldest records (each mock partition keeps only 5 MiB); records not consumed by then are lost. Use more --partitions or a lower --rate.[/]";

    /// <summary>The live view: totals, the current rate, one row per partition and the latest warnings.</summary>
    public static IRenderable Live(RunSummary s, double rate, IReadOnlyList<string> logs)
    {
        var totals = new Grid().AddColumns(10);
        totals.AddRow("[grey]elapsed[/]", Elapsed(s), "[grey]produced[/]", N(s.Produced), "[grey]handled[/]", N(s.Handled),
            "[grey]failed[/]", N(s.Failed), "[grey]records/s[/]", $"[bold]{rate:N0}[/]");
        totals.AddRow("[grey]in flight[/]", N(s.InFlight), "[grey]lag[/]", N(s.Lag), "[grey]dead-lettered[/]", N(s.DeadLettered),
            "[grey]out of order[/]", N(s.OutOfOrder), "[grey]paused[/]", N(s.PausedPartitions));
        totals.AddRow("[grey]live keys[/]", N(s.LiveKeys), "[grey]heap MiB[/]", N(s.HeapMiB), "[grey]RSS MiB[/]", N(s.WorkingSetMiB),
            "[grey]memory guard[/]", MemoryGuard(s), "[grey]breaker[/]", Breaker(s));
        totals.AddRow("[grey]retried[/]", N(s.Retried), "[grey]timed out[/]", N(s.TimedOut), "[grey]breaker opened[/]", N(s.BreakerOpened),
            "[grey]skipped[/]", N(s.Skipped), "", "");
        totals.AddRow("[grey]node[/]", Markup.Escape(s.Node), "[grey]zone[/]", Markup.Escape(s.Zone ?? "-"), "[grey]partitions[/]",
            Markup.Escape(Ranges(s.AssignedPartitions)), "", "", "", "");
        var view = Stack(WithZones(totals, s), Partitions(s), s);
        return logs.Count == 0
            ? view
            : new Rows(view, new Rows(logs.Select(l => new Markup($"[yellow]{Markup.Escape(l)}[/]")).ToArray()));
    }

    /// <summary>The memory guard's state: open, or holding every partition paused.</summary>
    public static string MemoryGuard(RunSummary s) => s.MemoryGuardPaused ? "[red]pausing all[/]" : "ok";

    /// <summary>The circuit breaker's state, coloured: Closed is healthy, Half-open is probing, Open is refusing calls.</summary>
    public static string Breaker(RunSummary s) => s.BreakerState switch
    {
        nameof(Resilience.BreakerState.Open) => "[red]Open[/]",
        nameof(Resilience.BreakerState.HalfOpen) => "[yellow]Half-open[/]",
        _ => "Closed",
    };

    /// <summary>The final summary: every total and each partition's committed offset and lag after the drain.</summary>
    public static IRenderable Final(RunSummary s)
    {
        var totals = new Table().Border(TableBorder.Rounded).Title("[bold]Run summary[/]").HideHeaders()
            .AddColumn("").AddColumn(new TableColumn("").RightAligned());
        totals.AddRow("Elapsed", Elapsed(s));
        totals.AddRow("Kafka", Markup.Escape(s.BootstrapServers));
        totals.AddRow("Embedded Kafka", s.EmbeddedKafka ? "yes" : "no");
        totals.AddRow("Node", Markup.Escape(s.Node));
        totals.AddRow("Address", Markup.Escape(s.Address));
        if (s.Zone is { } zone) totals.AddRow("Zone", Markup.Escape(zone));
        totals.AddRow("Partitions held at stop", Markup.Escape(Ranges(s.AssignedPartitions)));
        totals.AddRow("Produced", N(s.Produced));
        if (s.ProducedPoison > 0) totals.AddRow("  of which poison", N(s.ProducedPoison));
        totals.AddRow("Consumed", N(s.Consumed));
        totals.AddRow("Handled", N(s.Handled));
        totals.AddRow("Handled/s (average)", N(s.ElapsedSeconds > 0 ? (long)(s.Handled / s.ElapsedSeconds) : 0));
        totals.AddRow("Failed", N(s.Failed));
        totals.AddRow("Dead-lettered", N(s.DeadLettered));
        totals.AddRow("Retried", N(s.Retried));
        totals.AddRow("Timed out", N(s.TimedOut));
        totals.AddRow("Skipped (already done)", N(s.Skipped));
        totals.AddRow("Breaker opened", N(s.BreakerOpened));
        totals.AddRow("Breaker", Breaker(s));
        totals.AddRow("Out of order", s.OutOfOrder == 0 ? "0" : $"[red]{s.OutOfOrder:N0}[/]");
        totals.AddRow("In flight", N(s.InFlight));
        totals.AddRow("Lag", N(s.Lag));
        totals.AddRow("Memory guard trips", N(s.MemoryGuardTrips));
        totals.AddRow("Peak RSS MiB", N(s.PeakWorkingSetMiB));
        if (ZoneProgress.Markup(s.Zones) is { } zones)
        {
            totals.AddRow("Zones at stop", zones);
            totals.AddRow("Handled in home zone", N(s.HandledInHomeZone));
            totals.AddRow("Handled outside home zone", N(s.HandledOutsideHomeZone));
        }
        return Stack(totals, Partitions(s), s);
    }

    /// <summary>The totals, and under them the zones (state, partitions hosted/homed) when the cluster has named zones.</summary>
    private static IRenderable WithZones(IRenderable totals, RunSummary s) =>
        ZoneProgress.Markup(s.Zones) is { } zones ? new Rows(totals, new Markup($"[grey]zones[/]  {zones}")) : totals;

    private static IRenderable Stack(IRenderable totals, IRenderable partitions, RunSummary s) =>
        s.RecordsDroppedByEmbeddedKafka ? new Rows(totals, partitions, new Markup(DroppedWarning)) : new Rows(totals, partitions);

    private static Table Partitions(RunSummary s)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in new[] { "partition", "committed", "end offset", "lag", "in flight", "paused" })
            table.AddColumn(new TableColumn($"[grey]{header}[/]").RightAligned());
        foreach (var p in s.Partitions)
            table.AddRow(p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture), N(p.CommittedOffset),
                N(p.EndOffset), N(p.Lag), N(p.InFlight), p.Paused ? "[yellow]yes[/]" : "");
        return table;
    }

    /// <summary>Partition numbers as ranges, e.g. <c>0-3,7,9-11</c>; <c>none</c> for none.</summary>
    public static string Ranges(IReadOnlyList<int> partitions)
    {
        if (partitions.Count == 0) return "none";
        var sorted = partitions.Order().ToArray();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    private static string Elapsed(RunSummary s) => TimeSpan.FromSeconds(Math.Floor(s.ElapsedSeconds)).ToString(@"hh\:mm\:ss");

    private static string N(long? value) => value is { } v ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
