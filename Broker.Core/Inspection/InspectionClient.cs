using System.Net.Sockets;
using System.Text.Json;
using Broker.Inspection.Internal;

namespace Broker.Inspection;

/// <summary>
/// Sends inspection commands to a Broker node's command host (<c>Broker:Inspection</c>): Broker.Host's CLI uses it, and so can
/// scripts and tests. Each call opens one TCP connection. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// var reply = await new InspectionClient("127.0.0.1", 9110).SendAsync(["cluster", "show"]);
/// if (reply.Ok) logger.LogInformation("Cluster: {State}", reply.Result);
/// </code>
/// </example>
public sealed class InspectionClient
{
    /// <summary>The default port of the command host: 9110 (<c>Broker:Inspection:Port</c>).</summary>
    public const int DefaultPort = 9110;

    /// <summary>The default address of the command host: <c>127.0.0.1</c>.</summary>
    public const string DefaultHost = "127.0.0.1";

    private readonly string _host;
    private readonly int _port;
    private readonly string? _token;

    /// <summary>A client for the node at <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The node's inspection address (host name or IP).</param>
    /// <param name="port">Its inspection port, 1..65535.</param>
    /// <param name="token">The node's <c>Broker:Inspection:Token</c>, when it has one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 1..65535.</exception>
    public InspectionClient(string host = DefaultHost, int port = DefaultPort, string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _host = host;
        _port = port;
        _token = token;
    }

    /// <summary>How long connecting may take before the node counts as unreachable. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every command a node of this version serves, in <c>help</c>'s order.</summary>
    public static IReadOnlyList<InspectionCommandInfo> Commands { get; } = InspectionCommands.All.Select(c => c.Info).ToArray();

    /// <summary>
    /// Runs one command, e.g. <c>["cluster", "leave", "akka.tcp://broker@10.0.0.5:4053"]</c> or
    /// <c>["dlq", "replay", "orders.dlt", "--count", "10"]</c>, and returns the node's answer.
    /// </summary>
    /// <exception cref="InspectionException">The node could not be reached, or did not answer in Broker's protocol.</exception>
    /// <exception cref="InvalidOperationException">The command streams: use <see cref="OpenStreamAsync"/>.</exception>
    public async Task<InspectionReply> SendAsync(IReadOnlyList<string> command, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenStreamAsync(command, cancellationToken).ConfigureAwait(false);
        if (stream.Reply is { Ok: true, Result: null })
            throw new InvalidOperationException($"'{stream.Reply.Command}' streams events: use OpenStreamAsync.");
        return stream.Reply;
    }

    /// <summary>
    /// Starts a streaming command (<c>["cluster", "tail"]</c>) and returns once the node has answered: when
    /// <see cref="InspectionStream.Reply"/> is Ok, every event from then on reaches the stream. Also works for queries (the
    /// reply carries the result and there are no events).
    /// </summary>
    /// <exception cref="InspectionException">The node could not be reached, or did not answer in Broker's protocol.</exception>
    public async Task<InspectionStream> OpenStreamAsync(IReadOnlyList<string> command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var where = $"{_host}:{_port}";
        var client = new TcpClient { NoDelay = true };
        try
        {
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connecting.CancelAfter(ConnectTimeout);
                try
                {
                    await client.ConnectAsync(_host, _port, connecting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new InspectionException($"cannot reach a Broker node at {where}: no answer within {ConnectTimeout.TotalSeconds:0} s.");
                }
                catch (SocketException e)
                {
                    throw new InspectionException($"cannot reach a Broker node at {where}: {e.Message}.", e);
                }
            }
            var stream = client.GetStream();
            var buffer = new InspectionWire.LineBuffer();
            byte[]? line;
            try
            {
                await stream.WriteAsync(InspectionWire.Line(new InspectionWire.Request(command, _token)), cancellationToken).ConfigureAwait(false);
                line = await InspectionWire.ReadLineAsync(stream, buffer, InspectionWire.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new InspectionException($"the connection to {where} broke: {e.Message}", e);
            }
            if (line is null) throw new InspectionException($"{where} closed the connection without an answer; is it a Broker node's inspection port?");
            return new InspectionStream(client, stream, buffer, Parse(line, where));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static InspectionReply Parse(byte[] line, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var ok = root.TryGetProperty("ok", out var okProperty) && okProperty.ValueKind == JsonValueKind.True;
            JsonElement? result = root.TryGetProperty("result", out var r) ? r.Clone() : null;
            return new InspectionReply(ok, Text("command"), result, Text("code"), Text("error"), Text("usage"));
        }
        catch (JsonException e)
        {
            throw new InspectionException($"{where} did not answer in Broker's inspection protocol: {e.Message}", e);
        }
    }
}
