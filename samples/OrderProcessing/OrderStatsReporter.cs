using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrderProcessing;

/// <summary>Logs what the sample has handled every 10 s, so a running service shows it is working.</summary>
public sealed class OrderStatsReporter(OrderStats stats, ILogger<OrderStatsReporter> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                logger.LogInformation("Handled {Handled} orders ({OutOfOrder} out of order), {Amount:N2} in total",
                    stats.Handled, stats.OutOfOrder, stats.AmountCents / 100m);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
