using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Broker.Tests.Support;

/// <summary>Writes log lines to the test's output, so a failing test shows what the node logged.</summary>
public sealed class XunitLoggerProvider(ITestOutputHelper output, string node) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, node, categoryName);

    public void Dispose() { }

    private sealed class Logger(ITestOutputHelper output, string node, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{node}] {logLevel} {category}: {formatter(state, exception)}" +
                                 (exception is null ? "" : Environment.NewLine + exception));
            }
            catch (InvalidOperationException)
            {
                // The test already finished; its output is closed.
            }
        }
    }
}
