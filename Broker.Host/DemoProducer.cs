using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using OrderProcessing;

namespace Broker.Host;

/// <summary>
/// Feeds the order sample: JSON <see cref="Order"/>s keyed <c>customer-{i}</c>, each customer's
/// <see cref="Order.Sequence"/> counting 1, 2, 3, ..., at a steady rate; with a poison fraction, that share
/// of records is not JSON at all (the consumer dead-letters them with reason <c>deserialization</c>).
/// </summary>
internal sealed class DemoProducer : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private const string PoisonValue = "{ \"orderId\": not json";
    private readonly IProducer<string, string> _producer;
    private readonly string _topic;
    private readonly int _rate;
    private readonly double _poison;
    private readonly long[] _sequences;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<DeliveryReport<string, string>> _onDelivery;
    private readonly Action<DeliveryReport<string, string>> _onPoisonDelivery;
    private Task _loop = Task.CompletedTask;
    private long _produced;
    private long _poisonProduced;
    private long _deliveryErrors;

    /// <summary>
    /// Creates a producer to <paramref name="topic"/> on <paramref name="bootstrapServers"/> of
    /// <paramref name="rate"/> records/s over <paramref name="keys"/> keys, <paramref name="poison"/> (0..1) of them
    /// undeserializable; call <see cref="Start"/> to begin.
    /// </summary>
    public DemoProducer(string bootstrapServers, string topic, int rate, int keys, double poison, ILogger logger)
    {
        _topic = topic;
        _rate = rate;
        _poison = poison;
        _sequences = new long[keys];
        _logger = logger;
        _onDelivery = OnDelivery;
        _onPoisonDelivery = OnPoisonDelivery;
        _producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "broker-demo-producer",
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
            // Retries must not reorder a customer's orders: the sample checks each customer's sequence.
            EnableIdempotence = true,
        }).SetLogHandler((_, m) =>
        {
            if (m.Level <= SyslogLevel.Warning) logger.LogWarning("Demo producer: {Message}", m.Message);
        }).Build();
    }

    /// <summary>Records whose delivery Kafka acknowledged, poison included.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Undeserializable records whose delivery Kafka acknowledged.</summary>
    public long PoisonProduced => Interlocked.Read(ref _poisonProduced);

    /// <summary>Starts producing in the background.</summary>
    public void Start() => _loop = Task.Run(() => ProduceAsync(_stop.Token));

    /// <summary>Stops producing and waits (up to 10 s) for what was sent to be delivered.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        var pending = await Task.Run(() => _producer.Flush(TimeSpan.FromSeconds(10)));
        if (pending > 0) _logger.LogWarning("Demo producer: {Count} records still undelivered after 10 s", pending);
    }

    private async Task ProduceAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var due = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = clock.Elapsed;
                // Carry the fractional remainder so any rate comes out right on average, but forget more
                // than a second of backlog (after a stall, catching up in one burst would distort the demo).
                due = Math.Min(due + _rate * (now - last).TotalSeconds, _rate);
                last = now;
                while (due >= 1 && !stop.IsCancellationRequested && TryProduceOne()) due--;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool TryProduceOne()
    {
        var customer = Random.Shared.Next(_sequences.Length);
        var key = $"customer-{customer}";
        if (_poison > 0 && Random.Shared.NextDouble() < _poison) return TryProduce(key, PoisonValue, _onPoisonDelivery);
        var sequence = _sequences[customer] + 1;
        var order = new Order(key, sequence, $"{key}-{sequence}",
            Math.Round((decimal)Random.Shared.NextDouble() * 500m + 1m, 2), DateTimeOffset.UtcNow);
        if (!TryProduce(key, JsonSerializer.Serialize(order, JsonSerializerOptions.Web), _onDelivery)) return false;
        _sequences[customer] = sequence;
        return true;
    }

    private bool TryProduce(string key, string value, Action<DeliveryReport<string, string>> onDelivery)
    {
        try
        {
            _producer.Produce(_topic, new Message<string, string> { Key = key, Value = value }, onDelivery);
            return true;
        }
        catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false; // librdkafka's queue is full: try again next tick, this sequence number unused
        }
    }

    private void OnPoisonDelivery(DeliveryReport<string, string> report)
    {
        if (!report.Error.IsError) Interlocked.Increment(ref _poisonProduced);
        OnDelivery(report);
    }

    private void OnDelivery(DeliveryReport<string, string> report)
    {
        if (!report.Error.IsError)
        {
            Interlocked.Increment(ref _produced);
            return;
        }
        if (Interlocked.Increment(ref _deliveryErrors) == 1)
            _logger.LogWarning("Demo producer: delivery failed ({Reason}); further failures are not logged", report.Error.Reason);
    }

    /// <summary>Stops producing if still running and releases the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _producer.Dispose();
        _stop.Dispose();
    }
}
