using Broker.Processing;
using Microsoft.Extensions.Logging;

namespace OrderProcessing;

/// <summary>
/// Handles one order: charges it at the (simulated) <see cref="PaymentService"/>, then checks the customer's
/// orders arrive in sequence. Broker runs it for one order at a time per customer, many customers in
/// parallel; when the charge throws, Broker retries the order before the customer's next one.
/// </summary>
public sealed class OrderHandler(OrderStats stats, PaymentService payments, ILogger<OrderHandler> logger)
    : IMessageHandler<Order>
{
    /// <inheritdoc />
    public async Task HandleAsync(ConsumeContext<Order> context, CancellationToken cancellationToken)
    {
        if (context.IsTombstone) return; // a deleted customer: nothing to do in this sample
        var order = context.Message;
        await payments.ChargeAsync(order, cancellationToken);
        if (!stats.Record(order))
            logger.LogError("Order {OrderId} of {CustomerId} (sequence {Sequence}) arrived out of order at {Partition}@{Offset}",
                order.OrderId, order.CustomerId, order.Sequence, context.Partition, context.Offset);
    }
}
