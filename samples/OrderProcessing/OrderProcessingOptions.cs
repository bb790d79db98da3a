namespace OrderProcessing;

/// <summary>Settings of the order sample.</summary>
public sealed class OrderProcessingOptions
{
    /// <summary>The topic orders arrive on. Default <c>orders</c>.</summary>
    public string Topic { get; set; } = "orders";

    /// <summary>How long the simulated downstream call (say, a payment service) takes per order. Default 1 ms.</summary>
    public TimeSpan DownstreamLatency { get; set; } = TimeSpan.FromMilliseconds(1);
}
