namespace OrderProcessing;

/// <summary>
/// The sample's simulated downstream (say, a payment service): each call takes
/// <see cref="OrderProcessingOptions.DownstreamLatency"/>, and during the configured outage window every
/// call fails with <see cref="PaymentServiceUnavailableException"/>, as a real dependency does when it goes
/// down. Broker retries those calls and, once its circuit breaker opens, stops calling until it recovers.
/// </summary>
public sealed class PaymentService
{
    private readonly TimeSpan _latency;
    private readonly DateTimeOffset _outageStart;
    private readonly DateTimeOffset _outageEnd;
    private readonly TimeProvider _time;

    /// <summary>
    /// Creates the service; its outage window (if <see cref="OrderProcessingOptions.DownstreamOutage"/> is
    /// positive) starts <see cref="OrderProcessingOptions.DownstreamOutageAfter"/> from now.
    /// </summary>
    public PaymentService(OrderProcessingOptions options, TimeProvider time)
    {
        _latency = options.DownstreamLatency;
        _time = time;
        _outageStart = time.GetUtcNow() + options.DownstreamOutageAfter;
        _outageEnd = _outageStart + options.DownstreamOutage;
    }

    /// <summary>Whether the service is in its outage window now.</summary>
    public bool IsDown
    {
        get
        {
            var now = _time.GetUtcNow();
            return now >= _outageStart && now < _outageEnd;
        }
    }

    /// <summary>Charges <paramref name="order"/>.</summary>
    /// <exception cref="PaymentServiceUnavailableException">The service is in its outage window.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the record's deadline).</exception>
    public async Task ChargeAsync(Order order, CancellationToken cancellationToken)
    {
        if (_latency > TimeSpan.Zero) await Task.Delay(_latency, _time, cancellationToken);
        if (IsDown) throw new PaymentServiceUnavailableException($"Payment service unavailable; order {order.OrderId} not charged.");
    }
}
