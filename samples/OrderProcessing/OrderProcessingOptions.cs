namespace OrderProcessing;

/// <summary>Settings of the order sample.</summary>
public sealed class OrderProcessingOptions
{
    /// <summary>The topic orders arrive on. Default <c>orders</c>.</summary>
    public string Topic { get; set; } = "orders";

    /// <summary>How long the simulated downstream call (the <see cref="PaymentService"/>) takes per order. Default 1 ms.</summary>
    public TimeSpan DownstreamLatency { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the simulated downstream fails every call. Default zero: no outage.</summary>
    public TimeSpan DownstreamOutage { get; set; } = TimeSpan.Zero;

    /// <summary>When the outage starts, counted from the <see cref="PaymentService"/>'s creation (the node's first order). Default 10 s.</summary>
    public TimeSpan DownstreamOutageAfter { get; set; } = TimeSpan.FromSeconds(10);
}
