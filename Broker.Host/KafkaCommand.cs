using System.CommandLine;
using System.Runtime.InteropServices;
using Broker.Kafka;
using Spectre.Console;

namespace Broker.Host;

/// <summary>
/// The <c>kafka</c> verb: serves only an embedded Kafka until Ctrl+C/SIGTERM, a throwaway local Kafka for
/// benchmarks and experiments. Prints one <c>bootstrap: ...</c> line on stdout for scripts to read.
/// </summary>
internal static class KafkaCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var topics = new Option<string[]>("--topic")
        {
            Description = "Topic to create (repeat for several).",
            HelpName = "NAME",
            DefaultValueFactory = _ => ["orders"],
        };
        var partitions = new Option<int>("--partitions")
        {
            Description = "Partitions of each topic (each keeps at most 5 MiB of records).",
            HelpName = "N",
            DefaultValueFactory = _ => 12,
        }.InRange(1, 10_000);
        var brokers = new Option<int>("--brokers")
        {
            Description = "Number of brokers.",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
        }.InRange(1, 16);

        var command = new Command("kafka", "Serve only an embedded Kafka (librdkafka's mock cluster) until Ctrl+C or SIGTERM; prints 'bootstrap: HOST:PORT,...' on stdout.");
        command.Options.Add(topics);
        command.Options.Add(partitions);
        command.Options.Add(brokers);
        command.SetAction(parse => ServeAsync(parse.GetValue(topics)!, parse.GetValue(partitions), parse.GetValue(brokers)));
        return command;
    }

    private static async Task<int> ServeAsync(string[] topics, int partitions, int brokers)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // let the process dispose the cluster instead of dying mid-way
            stopped.TrySetResult();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        using var kafka = EmbeddedKafka.Start(brokers);
        foreach (var topic in topics.Distinct()) kafka.CreateTopic(topic, partitions);

        // The one plain stdout line: scripts wait for it and parse it.
        Console.Out.WriteLine($"bootstrap: {kafka.BootstrapServers}");
        Console.Out.Flush();
        Terminal.Error.MarkupLineInterpolated(
            $"[grey]Embedded Kafka with {brokers} broker(s); topics {string.Join(", ", topics.Distinct())}, {partitions} partitions each. Ctrl+C to stop.[/]");

        await stopped.Task;
        return 0;
    }
}
