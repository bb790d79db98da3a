using System.Collections.Concurrent;
using System.Text;
using Broker.Hosting.Internal;
using Broker.Resilience;
using Broker.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broker.Tests.Resilience;

/// <summary>The circuit breaker and the rate limit, end to end on the embedded Kafka.</summary>
[Collection(KafkaCollection.Name)]
public sealed class BreakerAndLimitsSpec(EmbeddedKafkaFixture kafka, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static Message<byte[]?, byte[]?> Record(string key, string value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public async Task The_breaker_opens_on_a_failing_downstream_makes_no_calls_while_open_and_closes_when_it_recovers_losing_nothing()
    {
        var topic = kafka.CreateTopic(2);
        var downstreamUp = false;
        var calls = new ConcurrentQueue<DateTime>();
        var behavior = new TestBehavior
        {
            Before = (_, _) =>
            {
                calls.Enqueue(DateTime.UtcNow);
                return Volatile.Read(ref downstreamUp) ? Task.CompletedTask : throw new HttpRequestException("downstream is down");
            },
        };
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior, c =>
        {
            c.Options.MaxAttempts = 5;
            c.Options.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            c.Options.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
            c.Options.Breaker.MinimumCalls = 10;
            c.Options.Breaker.WindowCalls = 20;
            c.Options.Breaker.OpenDuration = TimeSpan.FromSeconds(1);
            c.Options.Breaker.HalfOpenCalls = 2;
        });
        var breaker = node.Host.Services.GetRequiredService<BrokerRuntime>().Consumers.Single().Breaker!;
        var transitions = new ConcurrentQueue<(BreakerState From, BreakerState To, DateTime At)>();
        breaker.Transitioned += (from, to) => transitions.Enqueue((from, to, DateTime.UtcNow));

        kafka.Produce(topic, Enumerable.Range(0, 200).Select(i => Record($"k{i % 50}", i.ToString())));
        await Eventually.Until(() => transitions.Any(t => t.To == BreakerState.Open), Timeout, () => "the breaker opened");
        await Eventually.Until(() => node.Consumer.Partitions.Count == 2 && node.Consumer.Partitions.All(p => p.Paused), Timeout,
            () => "partitions paused while the breaker is open");

        // Each stretch of Open ends in Half-open; no call may start in between (50 ms margins for clock reads).
        await Eventually.Until(() => transitions.Count(t => t.From == BreakerState.Open) >= 2, Timeout, () => "two open periods ended");
        var list = transitions.ToArray();
        var periods = 0;
        for (var i = 0; i < list.Length - 1; i++)
        {
            if (list[i].To != BreakerState.Open || list[i + 1].From != BreakerState.Open) continue;
            var (from, to) = (list[i].At + TimeSpan.FromMilliseconds(50), list[i + 1].At - TimeSpan.FromMilliseconds(50));
            Assert.DoesNotContain(calls, c => c > from && c < to);
            periods++;
        }
        Assert.True(periods >= 2);

        Volatile.Write(ref downstreamUp, true);
        await Eventually.Until(() => breaker.State == BreakerState.Closed, Timeout, () => $"closed again, now {breaker.State}");
        await log.WaitForCountAsync(200, Timeout);

        Assert.Contains(transitions, t => t.From == BreakerState.HalfOpen && t.To == BreakerState.Closed);
        Assert.Equal(200, log.Records.Select(r => (r.Partition, r.Offset)).Distinct().Count()); // nothing lost, nothing twice
        Assert.Equal(0, node.Consumer.DeadLettered); // the outage dead-lettered nothing
        Assert.True(node.Consumer.BreakerOpened >= 1);
        await Eventually.Until(() => node.Consumer.Partitions.All(p => !p.Paused), Timeout, () => "partitions resumed");
    }

    [Fact]
    public async Task The_rate_limit_holds_within_ten_percent_over_five_seconds()
    {
        const double rate = 200;
        var topic = kafka.CreateTopic(4);
        var calls = new ConcurrentQueue<DateTime>();
        var behavior = new TestBehavior
        {
            Before = (_, _) =>
            {
                calls.Enqueue(DateTime.UtcNow);
                return Task.CompletedTask;
            },
        };
        kafka.Produce(topic, Enumerable.Range(0, 2_000).Select(i => Record($"k{i % 100}", i.ToString())));
        var log = new RecordLog();
        await using var node = await TestNode.StartAsync(kafka, topic, "g-" + topic, log, output, behavior,
            c => c.Options.MaxRecordsPerSecond = rate);

        await log.WaitForCountAsync(1_300, Timeout); // at least 6.5 s of calls at the limit
        var times = calls.ToArray().Order().ToArray();
        // Every 5 s window starting at a call: none may pass the limit, and the fullest must reach it (a busy
        // machine may slow some windows below the limit, which is not the limiter's doing).
        var windows = Enumerable.Range(0, times.Length)
            .Select(i => times.Skip(i).TakeWhile(t => t < times[i] + TimeSpan.FromSeconds(5)).Count()).ToArray();
        output.WriteLine($"calls per 5 s window: {windows.Min()}..{windows.Max()} (limit {rate}/s)");
        Assert.InRange(windows.Max(), rate * 5 * 0.9, rate * 5 * 1.1);
    }
}
