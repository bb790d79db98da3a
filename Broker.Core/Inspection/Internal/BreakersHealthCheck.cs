using Broker.Hosting.Internal;
using Broker.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Inspection.Internal;

/// <summary><see cref="BrokerHealthChecks.Breakers"/>: no consumer's circuit breaker is Open (else the registration's failure status).</summary>
internal sealed class BreakersHealthCheck(BrokerRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var open = new List<string>();
        var data = new Dictionary<string, object>();
        foreach (var c in runtime.Consumers)
        {
            if (c.Breaker is not { } breaker) continue;
            var s = breaker.Snapshot();
            data[c.Name] = s.State.ToString();
            if (s.State == BreakerState.Open)
                open.Add($"{c.Name}: Open since {s.Since.UtcDateTime:HH:mm:ss} UTC (failure rate {s.FailureRate:0.##}, slow-call rate {s.SlowCallRate:0.##}), " +
                         $"trial calls at {s.HalfOpensAt?.UtcDateTime:HH:mm:ss} UTC");
        }
        return Task.FromResult(open.Count > 0
            ? new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", open) + ".", data: data)
            : HealthCheckResult.Healthy(data.Count == 0 ? "no breaker enabled." : "no breaker is Open.", data));
    }
}
