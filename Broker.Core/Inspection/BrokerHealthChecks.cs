namespace Broker.Inspection;

/// <summary>
/// The health checks <c>AddBroker</c> registers with Microsoft.Extensions.Diagnostics.HealthChecks (run them through
/// <c>HealthCheckService</c>, an ASP.NET Core health endpoint, or the <c>health</c> inspection command). Each is tagged
/// <see cref="Tag"/>.
/// </summary>
public static class BrokerHealthChecks
{
    /// <summary>The tag of every Broker health check: <c>broker</c>.</summary>
    public const string Tag = "broker";

    /// <summary><c>broker-cluster</c>: this node is an Up member of its cluster. Unhealthy while joining, leaving or removed; Degraded while WeaklyUp.</summary>
    public const string Cluster = "broker-cluster";

    /// <summary>
    /// <c>broker-consumers</c>: each consumer's poll loop ran within its <c>max.poll.interval.ms</c> (librdkafka default 5 min,
    /// <c>Broker:Kafka:max.poll.interval.ms</c>), else Unhealthy; Degraded while a consumer has no partition assigned on this node.
    /// </summary>
    public const string Consumers = "broker-consumers";

    /// <summary><c>broker-breakers</c>: no consumer's circuit breaker is Open; Degraded while one is (the node is waiting for its downstream, restarting it would not help).</summary>
    public const string Breakers = "broker-breakers";

    /// <summary><c>broker-memory</c>: the memory guard has not tripped; Degraded while it holds every partition paused.</summary>
    public const string Memory = "broker-memory";
}
