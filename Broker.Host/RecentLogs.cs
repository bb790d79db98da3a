using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Host;

/// <summary>
/// Keeps the latest warnings and errors for the live view to show beneath it: written to the terminal
/// directly, they would tear through the redrawn display. Bounded to the last <see cref="Capacity"/> lines.
/// </summary>
internal sealed class RecentLogs : ILoggerProvider
{
    public const int Capacity = 5;
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity) _lines.TryDequeue(out _);
    }

    private sealed class Logger(RecentLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception).ReplaceLineEndings(" ");
            logs.Add($"{DateTime.Now:HH:mm:ss} {(logLevel >= LogLevel.Error ? "error" : "warn")}: {message}");
        }
    }
}
