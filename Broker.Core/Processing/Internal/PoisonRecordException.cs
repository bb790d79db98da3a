namespace Broker.Processing.Internal;

/// <summary>
/// A record that must not reach the handler (its value does not deserialize, or its key is missing where
/// one is required). It goes to the dead-letter topic at once, with <see cref="Reason"/>, and no retries.
/// </summary>
internal sealed class PoisonRecordException(string reason, Exception? inner)
    : Exception($"Poison record ({reason}): {inner?.Message}", inner)
{
    /// <summary>The dead-letter reason: <c>deserialization</c> or <c>missing-key</c>.</summary>
    public string Reason { get; } = reason;
}
