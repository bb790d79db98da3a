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

    /// <summary>
    /// From the partition owner, directly: records of this key, in offset order. The owner fills it while the
    /// key's records wait and keeps it as the key's outstanding batch once sent; after sending, nobody changes
    /// it until all its records are reported done, when the owner empties it and fills it again for a later
    /// batch of the same key (the keyed consumer lets go of a batch when it takes its last record, before it
    /// reports that record done), so a busy key costs no allocation per send. With many keys most batches hold
    /// one record, which needs no array (and no list).
    /// </summary>
    public sealed class Records
    {
        private ConsumeResult<byte[], byte[]>? _first;
        private ConsumeResult<byte[], byte[]>[]? _more; // records 1.. (index 0 is _first)

        public Records(int generation, ConsumeResult<byte[], byte[]> first) => Refill(generation, first);

        public int Generation { get; private set; }

        public int Count { get; private set; }

        public ConsumeResult<byte[], byte[]> this[int index] => index == 0 ? _first! : _more![index - 1];

        /// <summary>Owner, on an empty batch (new or <see cref="Empty"/>): starts it again with <paramref name="first"/>.</summary>
        internal void Refill(int generation, ConsumeResult<byte[], byte[]> first)
        {
            Generation = generation;
            _first = first;
            Count = 1;
        }

        /// <summary>Owner, once every record of the batch is reported done: lets go of the records, for reuse.</summary>
        internal void Empty()
        {
            _first = null;
            if (_more is not null && Count > 1) Array.Clear(_more, 0, Count - 1);
            Count = 0;
        }

        /// <summary>Owner, before sending: appends the key's next record.</summary>
        internal void Add(ConsumeResult<byte[], byte[]> record)
        {
            if (_more is null) _more = new ConsumeResult<byte[], byte[]>[4];
            else if (Count - 1 == _more.Length) Array.Resize(ref _more, _more.Length * 2);
            _more[Count - 1] = record;
            Count++;
        }

        /// <summary>Owner, before sending: moves this batch's first <paramref name="count"/> records (fewer than all) into a new one.</summary>
        internal Records TakeFirst(int count)
        {
            var taken = new Records(Generation, _first!);
            for (var i = 1; i < count; i++) taken.Add(this[i]);
            var rest = _more.AsSpan(count - 1, Count - count).ToArray();
            Array.Clear(_more!, 0, Count - 1);
            _first = rest[0];
            Count = 1;
            for (var i = 1; i < rest.Length; i++) Add(rest[i]);
            return taken;
        }
    }

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
