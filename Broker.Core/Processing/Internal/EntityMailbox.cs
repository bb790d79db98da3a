using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Config = Akka.Configuration.Config;

namespace Broker.Processing.Internal;

/// <summary>
/// The mailbox of Broker's sharded entities: bounded by <c>mailbox-capacity</c> and never blocking the
/// sender (Akka's BoundedMailbox blocks it). Flow control upstream keeps every entity far below its bound,
/// so a message that does not fit is a bug: it goes to dead letters and is counted
/// (<see cref="MailboxOverflow.Count"/>). <c>kind = owner</c> selects the lock-free queue partition owners need.
/// </summary>
internal sealed class EntityMailbox : MailboxType, IProducesMessageQueue<IMessageQueue>
{
    private readonly bool _owner;

    public EntityMailbox(Settings settings, Config config) : base(settings, config)
    {
        Capacity = config.GetInt("mailbox-capacity", 0);
        if (Capacity <= 0) throw new ArgumentException("mailbox-capacity must be positive", nameof(config));
        _owner = config.GetString("kind", "keyed") == "owner";
    }

    public int Capacity { get; }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) =>
        _owner ? new OwnerMessageQueue(Capacity) : new KeyedConsumerMessageQueue(Capacity);
}
