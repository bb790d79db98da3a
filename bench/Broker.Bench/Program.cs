using Broker.Bench;

// Each scenario prints its measurements and ends with one line "<scenario>: <name> = <value>".
var scenarios = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["throughput"] = ThroughputScenario.RunAsync,
    ["hop"] = HopScenario.RunAsync,
    ["keyed"] = KeyedScenario.RunAsync,
    ["flood"] = FloodScenario.RunAsync,
    ["latency"] = LatencyScenario.RunAsync,
    ["ring"] = RingScenario.RunAsync,
    ["scale"] = ScaleScenario.RunAsync,
    ["idempotency"] = IdempotencyScenario.RunAsync,
    ["failover"] = FailoverScenario.RunAsync,
    ["flood-node"] = FloodScenario.RunNodeAsync, // the node process the flood scenario starts
};
if (args.Length == 0 || !scenarios.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Broker.Bench <{string.Join("|", scenarios.Keys)}> [options]");
    return 2;
}
// Which GC the figures were measured with: the project file sets workstation GC, DOTNET_gcServer=1 overrides it.
Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, " +
                  $"{(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}");
try
{
    return await run(args[1..]);
}
catch (InvalidOperationException e)
{
    // A scenario that cannot measure what it should (e.g. the embedded Kafka dropped records) says why, and fails.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
