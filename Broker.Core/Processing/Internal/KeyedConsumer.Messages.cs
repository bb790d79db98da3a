using Akka.Actor;
using Confluent.Kafka;

namespace Broker.Processing.Internal;

internal sealed partial class KeyedConsumer
{
    /// <summary>
    /// From the partition owner, through the shard (which creates the entity on first use): serve
    /// <paramref name="Owner"/> for <paramref name="Generation"/>, reporting finished records to <paramref name="Inbox"/>
    /// under <paramref name="Key"/> (the owner's token for this key, opaque here);
    /// handler calls get <paramref name="Stopping"/>,
    /// which the owner cancels when that generation ends (hand-off, shutdown, restart).
    /// <paramref name="Yielding"/> fires when the partition starts handing off: a record then waiting on the
    /// breaker or for a retry is given up, with the key's later ones (<see cref="PartitionOwner.KeyYielded"/>).
    /// Answered with <see cref="PartitionOwner.KeyStarted"/>.
    /// </summary>
    public sealed record Start(IActorRef Owner, OwnerInbox Inbox, object Key, int Generation, CancellationToken Stopping,
        CancellationToken Yielding);

    /// <summary>From the partition owner, directly: records of this key, in offset order.</summary>
    public sealed record Records(int Generation, IReadOnlyList<ConsumeResult<byte[], byte[]>> Batch);

    /// <summary>From the partition owner, directly: nothing is in flight for this key; passivate.</summary>
    public sealed class Passivate
    {
        public static readonly Passivate Instance = new();
        private Passivate() { }
    }

    /// <summary>To self: the asynchronous step of a record finished.</summary>
    private sealed record StepCompleted(ConsumeResult<byte[], byte[]> Record, int Generation, Step Step, Task Task);

    private enum Step { Handler, DeadLetter }
}
