using Broker.Inspection.Internal;

namespace Broker.Tests.Inspection;

/// <summary>The stream buffer between a streaming command's actor and its client is bounded.</summary>
public sealed class CommandSessionSpec
{
    [Fact]
    public async Task A_client_that_falls_behind_the_buffer_ends_its_stream_with_a_reason_instead_of_growing_it()
    {
        var session = new CommandSession(CancellationToken.None, streamBuffer: 4);

        for (var i = 0; i < 4; i++) Assert.True(session.TryEmit(i));
        Assert.False(session.TryEmit(4)); // the fifth does not fit: the stream ends

        Assert.Equal("the client fell 4 events behind; stream ended.", session.StreamError);
        var delivered = new List<object>();
        await foreach (var e in session.Events.ReadAllAsync()) delivered.Add(e);
        Assert.Equal([0, 1, 2, 3], delivered.Cast<int>());
        Assert.False(session.TryEmit(5));
    }
}
