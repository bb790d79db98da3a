using Akka.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Inspection.Internal;

/// <summary><see cref="BrokerHealthChecks.Cluster"/>: this node's own member status, read from Akka's cluster state.</summary>
internal sealed class ClusterMemberHealthCheck(InspectionHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (host.System is not { } system)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the ActorSystem has not started."));
        var cluster = Cluster.Get(system);
        var self = cluster.SelfMember;
        var state = cluster.State;
        var data = new Dictionary<string, object>
        {
            ["address"] = self.Address.ToString(),
            ["status"] = self.Status.ToString(),
            ["members"] = state.Members.Count,
            ["unreachable"] = state.Unreachable.Count,
        };
        var description = $"{self.Address} is {self.Status}; {state.Members.Count} member(s), {state.Unreachable.Count} unreachable.";
        var status = self.Status switch
        {
            MemberStatus.Up => HealthStatus.Healthy,
            MemberStatus.WeaklyUp => HealthStatus.Degraded,
            _ => context.Registration.FailureStatus,
        };
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
