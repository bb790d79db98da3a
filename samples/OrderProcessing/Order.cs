namespace OrderProcessing;

/// <summary>An order, as JSON on the <c>orders</c> topic, keyed by <see cref="CustomerId"/>.</summary>
/// <param name="CustomerId">The customer; also the record key, so one customer's orders keep their order.</param>
/// <param name="Sequence">The customer's order number, 1, 2, 3, ... as produced (0 when the producer does not number them).</param>
/// <param name="OrderId">Unique order id.</param>
/// <param name="Amount">Order total.</param>
/// <param name="CreatedAt">When the order was placed.</param>
public sealed record Order(string CustomerId, long Sequence, string OrderId, decimal Amount, DateTimeOffset CreatedAt);
