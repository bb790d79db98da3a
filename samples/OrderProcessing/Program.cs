using Broker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderProcessing;

// A consumer service on Broker.Core's public API only: JSON orders on the "orders" topic, keyed by
// customer id. Point it at Kafka with --Broker:BootstrapServers=host:9092 (or the environment variable
// Broker__BootstrapServers); without one, Broker starts an embedded Kafka and logs its address
// ("Embedded Kafka ... listening on 127.0.0.1:PORT,..."): produce orders there with any Kafka client.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddBroker(broker => broker.AddOrderProcessing());
builder.Services.AddHostedService<OrderStatsReporter>();
await builder.Build().RunAsync();
