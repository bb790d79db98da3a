using System.CommandLine;
using Broker.Host;

Terminal.WidenWhenRedirected();

var root = new RootCommand("Broker node: runs the order-processing sample on Broker (default verb 'run'), serves an embedded Kafka alone ('kafka'), or asks a running node ('cluster show', 'consumers', 'help', ...).");
RunCommand.AddTo(root);
root.Subcommands.Add(RunCommand.AddTo(new Command("run", "Run a node with the order sample; without --bootstrap, on an embedded Kafka fed by a demo producer (default verb).")));
root.Subcommands.Add(KafkaCommand.Create());
InspectCommands.AddTo(root);

// Signals belong to the verbs: 'run' lets the generic host's console lifetime turn Ctrl+C/SIGTERM into a
// graceful drain, which System.CommandLine's own handler would cut short after its timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
