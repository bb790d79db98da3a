using Broker.Processing;

namespace Broker.Tests.Support;

/// <summary>Runs the test's <see cref="TestBehavior"/>, then logs the record as handled.</summary>
public sealed class TestHandler(RecordLog log, TestBehavior behavior, NodeName node) : IMessageHandler<string>
{
    public async Task HandleAsync(ConsumeContext<string> context, CancellationToken cancellationToken)
    {
        if (behavior.Before is { } before) await before(context, cancellationToken);
        log.Add(new HandledRecord(context.Topic, context.Partition, context.Offset, context.Key,
            context.IsTombstone ? null : context.Message, context.IsTombstone, context.Headers.ToArray(), node.Value));
    }
}

/// <summary>What the test handler does before it logs a record (throw, wait, ...); null does nothing.</summary>
public sealed class TestBehavior
{
    public Func<ConsumeContext<string>, CancellationToken, Task>? Before { get; init; }
}

/// <summary>Which node handled a record.</summary>
public sealed record NodeName(string Value);
