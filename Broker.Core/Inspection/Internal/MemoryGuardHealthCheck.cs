using Broker.Hosting.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Inspection.Internal;

/// <summary><see cref="BrokerHealthChecks.Memory"/>: the memory guard has not tripped (else the registration's failure status).</summary>
internal sealed class MemoryGuardHealthCheck(BrokerRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var guard = runtime.Memory;
        var data = new Dictionary<string, object>
        {
            ["heapBytes"] = guard.HeapBytes,
            ["pauseAboveBytes"] = guard.PauseAboveBytes,
            ["resumeBelowBytes"] = guard.ResumeBelowBytes,
            ["trips"] = guard.Trips,
        };
        return Task.FromResult(guard.Tripped
            ? new HealthCheckResult(context.Registration.FailureStatus,
                $"tripped: heap {guard.HeapBytes >> 20} MiB passed {guard.PauseAboveBytes >> 20} MiB; every partition is paused until it is below {guard.ResumeBelowBytes >> 20} MiB.",
                data: data)
            : HealthCheckResult.Healthy($"heap {guard.HeapBytes >> 20} MiB, pauses above {guard.PauseAboveBytes >> 20} MiB.", data));
    }
}
