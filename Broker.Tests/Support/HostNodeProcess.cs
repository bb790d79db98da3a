using System.Collections.Concurrent;
using System.Diagnostics;

namespace Broker.Tests.Support;

/// <summary>
/// A Broker.Host node running in its own process, as an operator starts one in a terminal: its stdout lines
/// as they come (progress is one plain line every 5 s when stdout is redirected), stopped with SIGTERM.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class HostNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private HostNodeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts Broker.Host with <paramref name="args"/> and <paramref name="environment"/> added to this process's.</summary>
    public static HostNodeProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostProcess.HostAssembly());
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return new HostNodeProcess(Process.Start(info)!);
    }

    /// <summary>Everything the node wrote so far, stdout then stderr, for failure messages.</summary>
    public string Output => string.Join('\n', _lines) + "\n--- stderr ---\n" + string.Join('\n', _errors);

    /// <summary>Stdout lines written so far (pass it to <see cref="LineAsync"/> to wait only for later ones).</summary>
    public int LineCount => _lines.Count;

    /// <summary>Waits until a stdout line after the first <paramref name="skip"/> satisfies <paramref name="match"/>, and returns it.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, TimeSpan timeout, string what, int skip = 0)
    {
        string? found = null;
        await Eventually.Until(() => (found = _lines.Skip(skip).FirstOrDefault(match)) is not null || _process.HasExited, timeout,
            () => $"{what}; the node wrote:\n{Output}");
        return found ?? throw new InvalidOperationException($"The node exited (code {_process.ExitCode}) before {what}:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as <c>kill</c> or a container runtime does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Broker.Host did not exit within {timeout} of SIGTERM:\n{Output}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
