using System.Net.Sockets;
using System.Text.Json;
using Broker.Inspection.Internal;

namespace Broker.Inspection;

/// <summary>
/// A streaming command's connection (<c>cluster tail</c>), open once the node has answered <see cref="Reply"/>: from then on
/// every event reaches it. Disposing it disconnects, which ends the stream on the node.
/// </summary>
public sealed class InspectionStream : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly InspectionWire.LineBuffer _buffer;

    internal InspectionStream(TcpClient client, Stream stream, InspectionWire.LineBuffer buffer, InspectionReply reply)
    {
        _client = client;
        _stream = stream;
        _buffer = buffer;
        Reply = reply;
    }

    /// <summary>The node's first answer: <c>Ok</c> when the stream started, else why not (then there are no events).</summary>
    public InspectionReply Reply { get; }

    /// <summary>Why the node ended the stream early (e.g. this client fell too far behind), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The next event (a JSON object), or null when the stream has ended.</summary>
    /// <exception cref="InspectionException">The connection broke.</exception>
    public async Task<JsonElement?> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (!Reply.Ok || Error is not null) return null;
        byte[]? line;
        try
        {
            line = await InspectionWire.ReadLineAsync(_stream, _buffer, InspectionWire.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new InspectionException($"the stream broke: {e.Message}", e);
        }
        if (line is null) return null;
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.TryGetProperty("event", out var e1)) return e1.Clone();
        Error = root.TryGetProperty("error", out var error) ? error.GetString() : "the node ended the stream.";
        return null;
    }

    /// <summary>Disconnects.</summary>
    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
