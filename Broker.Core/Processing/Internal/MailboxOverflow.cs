using Akka.Actor;
using Akka.Event;
using Broker.Telemetry;

namespace Broker.Processing.Internal;

/// <summary>Counts and dead-letters a message that did not fit an entity's bounded mailbox.</summary>
internal static class MailboxOverflow
{
    private static long _count;

    /// <summary>Messages dropped because an entity's mailbox was full, in this process. Always 0 unless flow control has a bug.</summary>
    public static long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Counts one more message in <paramref name="count"/> if it stays within <paramref name="capacity"/>;
    /// otherwise reports <paramref name="envelope"/> as an overflow and returns false.
    /// </summary>
    public static bool TryReserve(ref int count, int capacity, IActorRef receiver, Envelope envelope)
    {
        if (Interlocked.Increment(ref count) <= capacity) return true;
        Interlocked.Decrement(ref count);
        Report(receiver, envelope);
        return false;
    }

    private static void Report(IActorRef receiver, Envelope envelope)
    {
        Interlocked.Increment(ref _count);
        BrokerTelemetry.Overflows.Add(1);
        if (receiver is IInternalActorRef internalRef)
            internalRef.Provider.DeadLetters.Tell(new DeadLetter(envelope.Message, envelope.Sender, receiver), envelope.Sender);
    }
}
