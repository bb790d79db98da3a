using Broker.Hosting.Internal;
using Broker.Processing.Internal;
using Broker.Resilience;
using Broker.Resilience.Internal;
using Broker.Telemetry;
using Broker.Tests.Support;
using Confluent.Kafka;

namespace Broker.Tests.Processing;

/// <summary>
/// A record and its partition's hand-off: once the partition starts handing off, a record waiting for the
/// breaker or for its next attempt is given up (Yielded) without a call, for the next owner to run; a call in
/// progress is never cut short by it.
/// </summary>
public sealed class RecordPipelineSpec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();
    private readonly ConsumerSettings _settings = ConsumerSettings.FromConfig(BrokerSettings.Reference);
    private readonly CallDeadline _call = new();
    private readonly CancellationTokenSource _yielding = new();
    private int _calls;

    private static ConsumeResult<byte[], byte[]> Record() => new()
    {
        Topic = "orders",
        Partition = 0,
        Offset = 7,
        Message = new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = "v"u8.ToArray(), Headers = [] },
    };

    private RecordPipeline Pipeline(Func<Task> handle, CircuitBreaker? breaker = null, ConsumerSettings? settings = null) =>
        new(new Handler(() =>
        {
            Interlocked.Increment(ref _calls);
            return handle();
        }), settings ?? _settings, breaker, new ConsumerCounters("record-pipeline-spec", "orders"), _clock);

    /// <summary>A breaker that is Open and stays so (the test clock does not move).</summary>
    private CircuitBreaker OpenBreaker()
    {
        var breaker = new CircuitBreaker(_settings.Breaker, _clock);
        for (var i = 0; i < _settings.Breaker.MinimumCalls; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            breaker.Record(permit, succeeded: false);
        }
        Assert.Equal(BreakerState.Open, breaker.State);
        return breaker;
    }

    [Fact]
    public async Task A_record_waiting_on_an_open_breaker_is_given_up_without_a_call_when_its_partition_hands_off()
    {
        var pipeline = Pipeline(() => Task.CompletedTask, OpenBreaker());

        var processing = pipeline.ProcessAsync(Record(), _call, null, CancellationToken.None, _yielding.Token).AsTask();
        Assert.False(processing.IsCompleted); // waiting for the breaker
        await _yielding.CancelAsync();
        var outcome = await processing.WaitAsync(Timeout);

        Assert.Equal(RecordOutcomeKind.Yielded, outcome.Kind);
        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task A_partition_already_handing_off_gives_up_a_record_the_breaker_refuses_at_once()
    {
        var pipeline = Pipeline(() => Task.CompletedTask, OpenBreaker());
        await _yielding.CancelAsync();

        var outcome = await pipeline.ProcessAsync(Record(), _call, null, CancellationToken.None, _yielding.Token);

        Assert.Equal(RecordOutcomeKind.Yielded, outcome.Kind);
        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task A_call_in_progress_when_the_partition_hands_off_finishes_and_the_record_is_handled()
    {
        var downstream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = Pipeline(() => downstream.Task, new CircuitBreaker(_settings.Breaker, _clock));

        var processing = pipeline.ProcessAsync(Record(), _call, null, CancellationToken.None, _yielding.Token).AsTask();
        await _yielding.CancelAsync();
        Assert.False(processing.IsCompleted);
        downstream.SetResult();
        var outcome = await processing.WaitAsync(Timeout);

        Assert.Equal((RecordOutcomeKind.Handled, 1), (outcome.Kind, _calls));
    }

    [Fact]
    public async Task A_record_waiting_for_its_next_attempt_is_given_up_when_its_partition_hands_off()
    {
        var settings = _settings with { RetryBaseDelay = TimeSpan.FromMinutes(1), RetryMaxDelay = TimeSpan.FromMinutes(1) };
        var pipeline = Pipeline(() => Task.FromException(new InvalidOperationException("downstream down")), settings: settings);

        var processing = pipeline.ProcessAsync(Record(), _call, null, CancellationToken.None, _yielding.Token).AsTask();
        Assert.False(processing.IsCompleted); // in its backoff
        await _yielding.CancelAsync();
        var outcome = await processing.WaitAsync(Timeout);

        Assert.Equal((RecordOutcomeKind.Yielded, 1), (outcome.Kind, _calls));
    }

    private sealed class Handler(Func<Task> handle) : RecordHandler
    {
        public override Task HandleAsync(ConsumeResult<byte[], byte[]> record, CallInfo call, CancellationToken cancellationToken) => handle();
    }
}
