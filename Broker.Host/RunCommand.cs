using System.CommandLine;

namespace Broker.Host;

/// <summary>The <c>run</c> verb's flags and action: one node running the order sample.</summary>
internal sealed partial class RunCommand
{
    private readonly Option<double?> _duration = new Option<double?>("--duration")
    {
        Description = "Stop gracefully after this many seconds. Default: run until Ctrl+C or SIGTERM.",
        HelpName = "SECONDS",
    }.InRange(0.001);

    private readonly Option<string?> _summaryJson = new("--summary-json")
    {
        Description = "At exit, write a JSON summary (counts, lag, committed offsets per partition) to this file.",
        HelpName = "PATH",
    };

    private readonly Option<int> _rate = new Option<int>("--rate")
    {
        Description = "Demo producer records per second (only a node that runs the embedded Kafka produces).",
        HelpName = "N",
        DefaultValueFactory = _ => 1000,
    }.InRange(1);

    private readonly Option<int> _keys = new Option<int>("--keys")
    {
        Description = "Distinct customers (record keys) the demo producer writes.",
        HelpName = "K",
        DefaultValueFactory = _ => 1000,
    }.InRange(1);

    private readonly Option<int> _demoDelay = new Option<int>("--demo-delay")
    {
        Description = "The sample handler's simulated downstream latency per order, in milliseconds.",
        HelpName = "MS",
        DefaultValueFactory = _ => 1,
    }.InRange(0);

    private readonly Option<double> _demoPoison = new Option<double>("--demo-poison")
    {
        Description = "Fraction (0..1) of demo records that are not JSON; Broker dead-letters them with reason deserialization.",
        HelpName = "FRACTION",
        DefaultValueFactory = _ => 0,
    }.InRange(0, 1);

    private readonly Option<double> _demoOutage = new Option<double>("--demo-outage")
    {
        Description = "The sample's downstream fails every call for this many seconds, from about 10 s after start; Broker retries, and its circuit breaker opens.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 0,
    }.InRange(0);

    private readonly Option<string?> _demoOutageZone = new("--demo-outage-zone")
    {
        Description = "With --demo-outage: the outage happens only on the nodes of this zone (their --zone), so their breakers open and the zone's partitions fail over to another zone. Default: every node.",
        HelpName = "NAME",
    };

    private readonly Option<int?> _partitions = new Option<int?>("--partitions")
    {
        Description = "Partitions of the embedded Kafka's topic (Broker:Embedded:Partitions). Default: 12.",
        HelpName = "N",
    }.InRange(1, 10_000);

    private readonly Option<string?> _bootstrap = new("--bootstrap")
    {
        Description = "Consume an existing Kafka instead of the embedded one (Broker:BootstrapServers), e.g. the embedded Kafka another node printed; then this node runs no demo producer.",
        HelpName = "HOST:PORT[,...]",
    };

    private readonly Option<string> _topic = new("--topic")
    {
        Description = "Topic to consume.",
        HelpName = "NAME",
        DefaultValueFactory = _ => "orders",
    };

    private readonly Option<string?> _group = new("--group")
    {
        Description = "Consumer group (Broker:GroupId). Default: broker.",
        HelpName = "ID",
    };

    // The cluster flags are not range-checked here: they become Broker:* keys, and Broker's validator
    // refuses a bad value naming the key, the value and the fix (exit code 2), as it does for the environment.
    private readonly Option<int?> _port = new("--port")
    {
        Description = "This node's Akka.Remote port (Broker:Cluster:Port); other nodes name it in --seed. Default: 0, any free port (the node prints its address).",
        HelpName = "N",
    };

    private readonly Option<string[]> _seed = new("--seed")
    {
        Description = "Join the cluster of the node at this Akka address, e.g. akka.tcp://broker@127.0.0.1:4053 (repeatable; replaces Broker:Cluster:SeedNodes). Default: none, this node forms a cluster of its own.",
        HelpName = "ADDRESS",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _zone = new("--zone")
    {
        Description = "This node's zone (Broker:Cluster:Zone): the cluster role zone:NAME and librdkafka's client.rack. Default: none.",
        HelpName = "NAME",
    };

    private readonly Option<string?> _nodeName = new("--node-name")
    {
        Description = "This node's name (Broker:Cluster:NodeName), the cluster role node:NAME. Default: its host:port.",
        HelpName = "NAME",
    };

    private readonly Option<double?> _weight = new("--weight")
    {
        Description = "This node's share of the partitions relative to the other nodes' weights (Broker:Cluster:Weight). Default: 1.",
        HelpName = "N",
    };

    private readonly Option<int?> _inspectionPort = new("--inspection-port")
    {
        Description = "Port this node serves inspection commands on (Broker:Inspection:Port); 0 picks a free one. Default: 9110, so nodes on one machine need distinct ports.",
        HelpName = "N",
    };

    private readonly Option<bool> _verbose = new("--verbose")
    {
        Description = "Show Broker and Akka Information logs (by default only warnings and errors, so the live view stays readable).",
    };

    private RunCommand(Command command)
    {
        foreach (var option in new Option[] { _duration, _summaryJson, _rate, _keys, _demoDelay, _demoPoison, _demoOutage, _demoOutageZone, _partitions,
                     _bootstrap, _topic, _group, _port, _seed, _zone, _nodeName, _weight, _inspectionPort, _verbose })
            command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (DemoOutageZoneProblem(result.GetValue(_demoOutageZone), result.GetValue(_demoOutage)) is { } problem) result.AddError(problem);
        });
        command.SetAction((parse, _) => new NodeRunner(Read(parse)).RunAsync());
    }

    /// <summary>
    /// Why <c>--demo-outage-zone <paramref name="zone"/></c> cannot be used with <c>--demo-outage <paramref name="outageSeconds"/></c>,
    /// or null when it can (or is not given): it names a zone as <c>--zone</c> does, and needs an outage to confine.
    /// </summary>
    public static string? DemoOutageZoneProblem(string? zone, double outageSeconds)
    {
        if (zone is null) return null;
        if (!ZoneName().IsMatch(zone))
            return $"--demo-outage-zone '{zone}' is not a zone name: use letters, digits, '.', '_' and '-' only (1 to 249), as in --zone.";
        if (outageSeconds <= 0)
            return $"--demo-outage-zone {zone} needs --demo-outage SECONDS: how long the downstream of zone {zone}'s nodes fails (e.g. --demo-outage 60).";
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$")]
    private static partial System.Text.RegularExpressions.Regex ZoneName();

    /// <summary>Adds the <c>run</c> flags and action to <paramref name="command"/> (the root command or the <c>run</c> verb).</summary>
    public static Command AddTo(Command command)
    {
        _ = new RunCommand(command);
        return command;
    }

    private RunOptions Read(ParseResult parse) => new(
        parse.GetValue(_duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        parse.GetValue(_summaryJson),
        parse.GetValue(_rate),
        parse.GetValue(_keys),
        TimeSpan.FromMilliseconds(parse.GetValue(_demoDelay)),
        parse.GetValue(_demoPoison),
        TimeSpan.FromSeconds(parse.GetValue(_demoOutage)),
        parse.GetValue(_demoOutageZone),
        parse.GetValue(_partitions),
        parse.GetValue(_bootstrap),
        parse.GetValue(_topic)!,
        parse.GetValue(_group),
        parse.GetValue(_verbose),
        parse.GetValue(_port),
        parse.GetValue(_seed) ?? [],
        parse.GetValue(_zone),
        parse.GetValue(_nodeName),
        parse.GetValue(_weight),
        parse.GetValue(_inspectionPort));
}
