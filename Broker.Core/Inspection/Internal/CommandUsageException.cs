namespace Broker.Inspection.Internal;

/// <summary>A request named no known command or gave it bad arguments; <see cref="Usage"/> says what is accepted.</summary>
internal sealed class CommandUsageException(string message, string usage) : Exception(message)
{
    public string Usage { get; } = usage;
}
