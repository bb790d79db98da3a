using Broker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrderProcessing;

/// <summary>Adds the order sample to a Broker.</summary>
public static class OrderProcessingExtensions
{
    /// <summary>
    /// Consumes JSON <see cref="Order"/>s keyed by customer id with <see cref="OrderHandler"/>, and registers
    /// <see cref="OrderStats"/>, <see cref="PaymentService"/> and <paramref name="options"/> as singletons.
    /// </summary>
    public static BrokerBuilder AddOrderProcessing(this BrokerBuilder broker, OrderProcessingOptions? options = null)
    {
        options ??= new OrderProcessingOptions();
        broker.Services.AddSingleton(options);
        broker.Services.AddSingleton<OrderStats>();
        broker.Services.TryAddSingleton(TimeProvider.System);
        broker.Services.AddSingleton<PaymentService>();
        return broker.AddConsumer<Order, OrderHandler>(options.Topic, c => c.Name = "orders");
    }
}
