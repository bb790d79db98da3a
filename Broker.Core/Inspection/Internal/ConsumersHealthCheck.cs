using Broker.Hosting.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Inspection.Internal;

/// <summary>
/// <see cref="BrokerHealthChecks.Consumers"/>: each consumer's poll loop ran within <c>max.poll.interval.ms</c> (else the
/// registration's failure status) and has partitions assigned on this node (else Degraded).
/// </summary>
internal sealed class ConsumersHealthCheck(BrokerRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var consumers = runtime.Consumers;
        if (consumers.Count == 0)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "no consumer has started yet."));
        var stalled = new List<string>();
        var unassigned = new List<string>();
        var fine = new List<string>();
        var data = new Dictionary<string, object>();
        foreach (var c in consumers)
        {
            var silent = DateTime.UtcNow - c.Consumer.LastPoll;
            var assigned = c.Consumer.AssignedPartitions;
            data[c.Name] = $"{assigned} partition(s), last poll {silent.TotalMilliseconds:0} ms ago";
            if (silent > c.Consumer.MaxPollInterval)
                stalled.Add($"{c.Name}: poll loop silent for {silent.TotalSeconds:0} s (max.poll.interval.ms {c.Consumer.MaxPollInterval.TotalMilliseconds:0})");
            else if (assigned == 0)
                unassigned.Add($"{c.Name}: no partition assigned on this node");
            else
                fine.Add($"{c.Name}: {assigned} partition(s), polling");
        }
        var status = stalled.Count > 0 ? context.Registration.FailureStatus
            : unassigned.Count > 0 ? HealthStatus.Degraded
            : HealthStatus.Healthy;
        var description = string.Join("; ", stalled.Concat(unassigned).Concat(fine)) + ".";
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
