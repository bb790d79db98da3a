namespace Broker.Tests.Support;

/// <summary>
/// Polls a condition that has no event to wait on (state read from Kafka or a status snapshot), like
/// TestKit's AwaitAssert: it returns as soon as the condition holds and fails with a message on timeout.
/// </summary>
public static class Eventually
{
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout}: {describe()}");
            await Task.Delay(50);
        }
    }
}
