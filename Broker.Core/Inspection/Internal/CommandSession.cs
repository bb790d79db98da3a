using System.Threading.Channels;

namespace Broker.Inspection.Internal;

/// <summary>
/// One client's request as the command's actor sees it: a reply to complete once (queries), or a bounded
/// stream of events (streams). Thread-safe; the TCP connection reads what the actor writes.
/// </summary>
internal sealed class CommandSession
{
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<object> _events;
    private readonly int _buffer;
    private string? _streamError;

    public CommandSession(CancellationToken ended, int streamBuffer)
    {
        Ended = ended;
        _buffer = streamBuffer;
        _events = Channel.CreateBounded<object>(new BoundedChannelOptions(streamBuffer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the stream ends instead of dropping silently
        });
    }

    /// <summary>Fires when the client disconnected, the request timed out or the node stops.</summary>
    public CancellationToken Ended { get; }

    public Task<object> Reply => _reply.Task;

    public void Answer(object result) => _reply.TrySetResult(result);

    public void Fail(Exception error) => _reply.TrySetException(error);

    /// <summary>Completes when a stream's source is in place (events from now on reach the client).</summary>
    public Task Started => _started.Task;

    public void MarkStarted() => _started.TrySetResult();

    public ChannelReader<object> Events => _events.Reader;

    /// <summary>Why the stream ended early, or null when it just ended.</summary>
    public string? StreamError => Volatile.Read(ref _streamError);

    /// <summary>Queues an event; false when the client has fallen <see cref="_buffer"/> events behind (the stream then ends).</summary>
    public bool TryEmit(object @event)
    {
        if (_events.Writer.TryWrite(@event)) return true;
        EndStream($"the client fell {_buffer} events behind; stream ended.");
        return false;
    }

    /// <summary>Ends the stream (and a query still unanswered), with <paramref name="error"/> when it ended early.</summary>
    public void EndStream(string? error = null)
    {
        if (error is not null) Interlocked.CompareExchange(ref _streamError, error, null);
        _events.Writer.TryComplete();
        _started.TrySetException(new InvalidOperationException(error ?? "the stream ended before it started."));
        _reply.TrySetException(new InvalidOperationException(error ?? "the command stopped without an answer."));
    }
}
