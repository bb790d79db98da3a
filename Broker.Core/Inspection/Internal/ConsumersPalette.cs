using Broker.Kafka.Internal;
using Broker.Resilience;
using static Broker.Inspection.Internal.InspectionCommand;

namespace Broker.Inspection.Internal;

/// <summary>
/// Broker's own palettes: <c>consumers</c> (each partition as the poll thread sees it when asked),
/// <c>breakers</c> (each circuit breaker's live window) and <c>dlq</c> (dead letters, and their replay).
/// </summary>
internal static class ConsumersPalette
{
    public static IReadOnlyList<InspectionCommand> Commands { get; } =
    [
        Of("consumers", "Each consumer on this node: group, assigned partitions, in flight, lag, breaker; then each partition: position, committed offset, end offset, lag, in flight, paused and why.", Consumers),
        Of("breakers", "Each consumer's circuit breaker on this node: state and since when, failure and slow-call rates over its window, times opened.", Breakers),
        Of("dlq", "Each consumer's dead-letter topic: records dead-lettered by this node since it started, and records stored in the topic.", DeadLetters),
        new(new InspectionCommandInfo("dlq replay",
            "Re-produces the records of dead-letter topic <topic> to the topics they came from (key, value and original headers; broker.dlt.* headers dropped) with an idempotent producer, up to the end the topic had when the replay started.",
            [
                Positional("topic", "The dead-letter topic, e.g. orders.dlt."),
                Option("partition", "P", "Only this partition of the dead-letter topic (default: all)."),
                Option("from", "OFFSET", "Start at this offset in each partition read (default: the partition's first)."),
                Option("count", "N", "Read at most N records (default: all up to the end)."),
            ]))
        {
            Query = Replay,
            Timeout = TimeSpan.FromHours(1),
        },
    ];

    private static async Task<object> Consumers(CommandContext ctx, CommandArguments _)
    {
        var consumers = new List<ConsumerRow>();
        var partitions = new List<PartitionRow>();
        foreach (var c in ctx.Runtime.Consumers)
        {
            IReadOnlyList<PartitionSnapshot> snapshot;
            try
            {
                snapshot = await c.Consumer.InspectAsync().WaitAsync(CommandContext.AskTimeout, ctx.Cancellation).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the poll loop of consumer '{c.Name}' did not answer within {CommandContext.AskTimeout.TotalSeconds:0} s " +
                                           $"(its last round began {(DateTime.UtcNow - c.Consumer.LastPoll).TotalSeconds:0.#} s ago).");
            }
            var sincePoll = DateTime.UtcNow - c.Consumer.LastPoll;
            consumers.Add(new ConsumerRow(c.Name, c.Topic, c.GroupId, snapshot.Count, snapshot.Sum(p => p.InFlight),
                snapshot.Sum(p => p.Lag ?? 0), snapshot.Count(p => p.PausedBy != PauseReasons.None || p.Draining), c.BreakerState,
                c.LiveKeys, (long)Math.Max(0, sincePoll.TotalMilliseconds)));
            partitions.AddRange(snapshot.Select(p => new PartitionRow(c.Name, p.Partition, p.Position, p.Committed, p.HighWatermark,
                p.Lag, p.InFlight, p.Window, p.PausedBy != PauseReasons.None || p.Draining, PausedBy(p))));
        }
        return new ConsumersView(consumers, partitions);
    }

    private static Task<object> Breakers(CommandContext ctx, CommandArguments _)
    {
        var rows = ctx.Runtime.Consumers.Select(c =>
        {
            if (c.Breaker is not { } breaker)
                return new BreakerRow(c.Name, "Disabled", null, 0, 0, 0, 0, null, 0);
            var s = breaker.Snapshot();
            return new BreakerRow(c.Name, s.State.ToString(), s.Since, s.Calls, Math.Round(s.FailureRate, 3),
                Math.Round(s.SlowCallRate, 3), s.Opened, s.HalfOpensAt, s.TrialCalls);
        }).ToArray();
        return Task.FromResult<object>(new BreakersView(rows));
    }

    private static async Task<object> DeadLetters(CommandContext ctx, CommandArguments _)
    {
        var rows = new List<DeadLetterRow>();
        foreach (var c in ctx.Runtime.Consumers)
        {
            var stored = await DeadLetterTopics.CountAsync(ctx.Runtime.Kafka, c.DeadLetterTopic, ctx.Cancellation).ConfigureAwait(false);
            rows.Add(new DeadLetterRow(c.Name, c.Topic, c.DeadLetterTopic, c.Counters.DeadLetteredTotal, stored));
        }
        return new DeadLettersView(rows);
    }

    private static async Task<object> Replay(CommandContext ctx, CommandArguments args)
    {
        var partition = args.Integer("partition");
        if (partition > int.MaxValue) throw new ArgumentException($"--partition {partition} is not a partition number.");
        return await DeadLetterTopics.ReplayAsync(ctx.Runtime.Kafka, args["topic"], (int?)partition, args.Integer("from"),
            args.Integer("count"), ctx.Logger, ctx.Cancellation).ConfigureAwait(false);
    }

    private static string PausedBy(PartitionSnapshot p)
    {
        var reasons = new List<string>(4);
        if ((p.PausedBy & PauseReasons.Window) != 0) reasons.Add("window");
        if ((p.PausedBy & PauseReasons.Memory) != 0) reasons.Add("memory");
        if ((p.PausedBy & PauseReasons.Breaker) != 0) reasons.Add("breaker");
        if (p.Draining) reasons.Add("draining");
        return string.Join(",", reasons);
    }

    /// <summary>The answer to <c>consumers</c>.</summary>
    public sealed record ConsumersView(IReadOnlyList<ConsumerRow> Consumers, IReadOnlyList<PartitionRow> Partitions);

    /// <summary>
    /// One consumer on this node: <paramref name="Assigned"/> partitions fetched here, records in flight, summed lag,
    /// paused partitions, breaker state, live keyed consumers, and milliseconds since its poll loop last began a round.
    /// </summary>
    public sealed record ConsumerRow(string Consumer, string Topic, string Group, int Assigned, int InFlight, long Lag, int Paused,
        BreakerState Breaker, int LiveKeys, long LastPollMs);

    /// <summary>
    /// One partition fetched on this node: the next offset handed to its owner (<paramref name="Position"/>), the committed and
    /// end offsets, lag, records in flight out of its <paramref name="Window"/>, and why it is paused
    /// (<c>window</c>, <c>memory</c>, <c>breaker</c>, <c>draining</c>).
    /// </summary>
    public sealed record PartitionRow(string Consumer, int Partition, long? Position, long? Committed, long? EndOffset, long? Lag,
        int InFlight, int Window, bool Paused, string PausedBy);

    /// <summary>The answer to <c>breakers</c>.</summary>
    public sealed record BreakersView(IReadOnlyList<BreakerRow> Breakers);

    /// <summary>One consumer's breaker; rates are shares (0..1) of the <paramref name="Calls"/> in its window.</summary>
    public sealed record BreakerRow(string Consumer, string State, DateTimeOffset? Since, int Calls, double FailureRate, double SlowCallRate,
        int Opened, DateTimeOffset? HalfOpensAt, int TrialCalls);

    /// <summary>The answer to <c>dlq</c>.</summary>
    public sealed record DeadLettersView(IReadOnlyList<DeadLetterRow> DeadLetters);

    /// <summary>
    /// One consumer's dead letters: written by this node since it started, and stored in the topic now (all nodes,
    /// all time, within retention; null when the topic does not exist).
    /// </summary>
    public sealed record DeadLetterRow(string Consumer, string Topic, string DeadLetterTopic, long DeadLetteredHere, long? StoredInTopic);
}
