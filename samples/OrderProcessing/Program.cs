using Broker.Hosting;
using Microsoft.Extensions.Hosting;
using OrderProcessing;

// A consumer service on Broker.Core's public API only. Configure Kafka with
// --Broker:BootstrapServers=host:9092 (or the Broker__BootstrapServers environment variable);
// without it Broker starts an embedded Kafka and logs its bootstrap address.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddBroker(broker => broker.AddOrderProcessing());
await builder.Build().RunAsync();
