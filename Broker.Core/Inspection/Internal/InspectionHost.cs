using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Broker.Hosting;
using Broker.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace Broker.Inspection.Internal;

/// <summary>
/// The node's command host: listens on <c>Broker:Inspection:Hostname</c>:<c>Port</c>, reads one request line
/// per connection (<see cref="InspectionWire"/>), checks the token, parses the command and hands it to the
/// <see cref="InspectionActor"/>, then writes the answer or the stream. Bounded: <see cref="InspectionSettings.MaxConnections"/>
/// connections at once (one more is answered <c>busy</c>), requests of at most <see cref="InspectionSettings.MaxRequestBytes"/>
/// sent within <see cref="InspectionSettings.RequestTimeout"/>, writes that must finish within
/// <see cref="InspectionSettings.WriteTimeout"/>, and a stream buffer of <see cref="InspectionSettings.StreamBuffer"/> events.
/// </summary>
internal sealed class InspectionHost : IDisposable
{
    private readonly InspectionSettings _settings;
    private readonly BrokerRuntime _runtime;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly byte[]? _token;
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;
    private int _sessions;
    private volatile ActorSystem? _system;
    private IActorRef _actor = ActorRefs.Nobody;

    public InspectionHost(BrokerConfiguration configuration, BrokerRuntime runtime, IServiceProvider services, ILoggerFactory loggers)
        : this(configuration.Inspection, runtime, services, loggers)
    {
    }

    internal InspectionHost(InspectionSettings settings, BrokerRuntime runtime, IServiceProvider services, ILoggerFactory loggers)
    {
        _settings = settings;
        _runtime = runtime;
        _services = services;
        _logger = loggers.CreateLogger("Broker.Inspection");
        _slots = new SemaphoreSlim(settings.MaxConnections, settings.MaxConnections);
        _token = settings.Token is { } token ? Encoding.UTF8.GetBytes(token) : null;
    }

    /// <summary>The address it listens on (the bound port when configured with 0), or null when disabled or not yet listening.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>The node's ActorSystem once it has started, else null.</summary>
    public ActorSystem? System => _system;

    /// <summary>Connections being served now.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Binds the port (before the ActorSystem starts, so a taken port stops start-up early) and starts accepting.</summary>
    /// <exception cref="BrokerConfigurationException">The address cannot be resolved or the port cannot be bound.</exception>
    public void Listen()
    {
        if (!_settings.Enabled || _listener is not null) return;
        var address = Resolve(_settings.Hostname);
        var listener = new TcpListener(address, _settings.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new BrokerConfigurationException([
                $"{BrokerOptionsBinder.SectionName}:Inspection:Port = '{_settings.Port}': cannot listen on {_settings.Hostname}:{_settings.Port}: {e.Message}. " +
                $"Fix: set {BrokerOptionsBinder.SectionName}:Inspection:Port to a free port (0 picks any; the node logs it), " +
                $"or {BrokerOptionsBinder.SectionName}:Inspection:Enabled = false.",
            ]);
        }
        _listener = listener;
        Endpoint = (IPEndPoint)listener.LocalEndpoint;
        _accepting = Task.Run(AcceptAsync);
        _logger.LogInformation("Inspection commands served on {Endpoint}{Token}", Endpoint,
            _token is null ? "" : " (token required)");
    }

    /// <summary>Called once the ActorSystem has started: commands can run from now on.</summary>
    public void Attach(ActorSystem system)
    {
        _actor = system.ActorOf(InspectionActor.Props(), InspectionActor.Name);
        _system = system;
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener?.Stop();
        await _accepting.ConfigureAwait(false);
        // Sessions end on the cancellation above; wait for them briefly so none writes to a disposed node.
        var deadline = DateTime.UtcNow + _settings.WriteTimeout;
        while (Sessions > 0 && DateTime.UtcNow < deadline) await Task.Delay(20).ConfigureAwait(false);
    }

    /// <summary>Stops listening and ends every session (without waiting for them; <see cref="StopAsync"/> waits).</summary>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested) _stopping.Cancel();
        _listener?.Stop();
    }

    private static IPAddress Resolve(string hostname)
    {
        var host = hostname.Trim();
        if (IPAddress.TryParse(host, out var ip)) return ip;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        }
        catch (Exception e) when (e is SocketException or IndexOutOfRangeException)
        {
            throw new BrokerConfigurationException([
                $"{BrokerOptionsBinder.SectionName}:Inspection:Hostname = '{hostname}': cannot resolve it ({e.Message}). " +
                "Fix: use an IP address of this machine, or remove it to listen on 127.0.0.1.",
            ]);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(e, "Inspection: accepting a connection failed");
                continue;
            }
            if (!_slots.Wait(0))
            {
                // Answered inline, so a flood of connections costs one socket at a time, never a growing set of tasks.
                using (client)
                    await TryWriteAsync(client.GetStream(), InspectionWire.Response.Failure("busy",
                        $"the node is serving {_settings.MaxConnections} inspection connections already; try again shortly."), CancellationToken.None)
                        .ConfigureAwait(false);
                continue;
            }
            Interlocked.Increment(ref _sessions);
            _ = ServeAsync(client).ContinueWith(_ =>
            {
                Interlocked.Decrement(ref _sessions);
                _slots.Release();
            }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        using var life = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var disconnected = false;
        InspectionCommand? command = null;
        try
        {
            var buffer = new InspectionWire.LineBuffer();
            byte[]? line;
            using (var reading = CancellationTokenSource.CreateLinkedTokenSource(life.Token))
            {
                reading.CancelAfter(_settings.RequestTimeout);
                try
                {
                    line = await InspectionWire.ReadLineAsync(stream, buffer, _settings.MaxRequestBytes, reading.Token).ConfigureAwait(false);
                }
                catch (InvalidDataException)
                {
                    await TryWriteAsync(stream, InspectionWire.Response.Failure("bad-request",
                        $"the request is longer than {_settings.MaxRequestBytes} bytes."), life.Token).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
                {
                    await TryWriteAsync(stream, InspectionWire.Response.Failure("bad-request",
                        $"no request line within {_settings.RequestTimeout.TotalSeconds:0} s."), life.Token).ConfigureAwait(false);
                    return;
                }
            }
            if (line is null) return;

            InspectionWire.Request? request;
            try
            {
                request = JsonSerializer.Deserialize<InspectionWire.Request>(line, InspectionWire.Json);
            }
            catch (JsonException e)
            {
                await TryWriteAsync(stream, InspectionWire.Response.Failure("bad-request", $"the request is not JSON: {e.Message}"), life.Token)
                    .ConfigureAwait(false);
                return;
            }
            if (!Authorized(request?.Token))
            {
                _logger.LogInformation("Inspection: refused a request from {Remote} without the right token", client.Client.RemoteEndPoint);
                await TryWriteAsync(stream, InspectionWire.Response.Failure("unauthorized",
                    "missing or wrong token: this node requires Broker:Inspection:Token; pass it with --token."), life.Token).ConfigureAwait(false);
                return;
            }
            var system = _system;
            if (system is null)
            {
                await TryWriteAsync(stream, InspectionWire.Response.Failure("starting", "the node is still starting; try again shortly."), life.Token)
                    .ConfigureAwait(false);
                return;
            }
            if (system.WhenTerminated.IsCompleted)
            {
                // No actor is left to run the command; without this the client would wait for the command's timeout.
                await TryWriteAsync(stream, InspectionWire.Response.Failure("stopping", "the node's ActorSystem has stopped; the node is shutting down."),
                    life.Token).ConfigureAwait(false);
                return;
            }

            (InspectionCommand Command, CommandArguments Arguments) parsed;
            try
            {
                parsed = CommandParser.Parse(request?.Args ?? [], InspectionCommands.All);
            }
            catch (CommandUsageException e)
            {
                await TryWriteAsync(stream, InspectionWire.Response.Failure("usage", e.Message, e.Usage), life.Token).ConfigureAwait(false);
                return;
            }
            command = parsed.Command;

            // The client sends nothing after its request: a read that ends means it went away.
            _ = WatchDisconnectAsync(stream, life, () => disconnected = true);
            if (command.Query is not null) life.CancelAfter(command.Timeout);
            var session = new CommandSession(life.Token, _settings.StreamBuffer);
            var context = new CommandContext(system, _runtime, _services, _logger, life.Token);
            _actor.Tell(new InspectionActor.Run(command, parsed.Arguments, context, session));

            if (command.Stream is not null)
            {
                await session.Started.WaitAsync(life.Token).ConfigureAwait(false);
                await WriteAsync(stream, new InspectionWire.Response { Ok = true, Command = command.Info.Name, Streaming = true }, life.Token)
                    .ConfigureAwait(false);
                await foreach (var e in session.Events.ReadAllAsync(life.Token).ConfigureAwait(false))
                    await WriteAsync(stream, new InspectionWire.Response { Event = e }, life.Token).ConfigureAwait(false);
                if (session.StreamError is { } error)
                    await TryWriteAsync(stream, InspectionWire.Response.Failure("failed", error), life.Token).ConfigureAwait(false);
            }
            else
            {
                var result = await session.Reply.WaitAsync(life.Token).ConfigureAwait(false);
                await WriteAsync(stream, new InspectionWire.Response { Ok = true, Command = command.Info.Name, Result = result }, life.Token)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (life.IsCancellationRequested)
        {
            if (!disconnected && !_stopping.IsCancellationRequested && command is not null)
                await TryWriteAsync(stream, InspectionWire.Response.Failure("timeout",
                    $"'{command.Info.Name}' did not finish within {command.Timeout.TotalSeconds:0} s."), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A write timed out: the client stopped reading.
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
        catch (Exception e)
        {
            await TryWriteAsync(stream, InspectionWire.Response.Failure("failed", e.Message), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await life.CancelAsync().ConfigureAwait(false);
        }
    }

    private bool Authorized(string? token) =>
        _token is null || (token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), _token));

    private static async Task WatchDisconnectAsync(Stream stream, CancellationTokenSource life, Action onDisconnect)
    {
        var scratch = new byte[256];
        try
        {
            // Whatever the client sends after its request is read and ignored.
            while (await stream.ReadAsync(scratch, life.Token).ConfigureAwait(false) > 0)
            {
            }
            onDisconnect();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (e is IOException) onDisconnect();
        }
        try
        {
            await life.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WriteAsync(Stream stream, InspectionWire.Response response, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.WriteTimeout);
        await stream.WriteAsync(InspectionWire.Line(response), timeout.Token).ConfigureAwait(false);
    }

    private async Task TryWriteAsync(Stream stream, InspectionWire.Response response, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(stream, response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client is gone or not reading; nothing more to tell it.
        }
    }
}
