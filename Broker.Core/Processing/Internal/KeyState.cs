using Akka.Actor;

namespace Broker.Processing.Internal;

/// <summary>What a partition owner knows about one key of its partition. Mutable; owned by one owner.</summary>
internal sealed class KeyState(byte[]? key)
{
    /// <summary>The key bytes; null for the surrogate key of null-key records.</summary>
    public byte[]? Key { get; } = key;

    /// <summary>The keyed consumer's entity id, once computed.</summary>
    public string? EntityId;

    /// <summary>The keyed consumer, once it has started.</summary>
    public IActorRef? Ref;

    /// <summary>True while its start request travels through the shard.</summary>
    public bool Starting;

    /// <summary>Records handed to the keyed consumer and not yet reported done.</summary>
    public int InFlight;

    /// <summary>When a record of the key last arrived (Environment.TickCount64, ms).</summary>
    public long LastUsed;

    /// <summary>The batch handed to the keyed consumer and not finished yet (at most one at a time).</summary>
    public KeyedConsumer.Records? Outstanding;

    /// <summary>How many records of <see cref="Outstanding"/> are reported finished (they finish in order).</summary>
    public int OutstandingDone;

    /// <summary>Records of the key not yet handed to its keyed consumer, in offset order: the next batch to send.</summary>
    public KeyedConsumer.Records? Waiting;

    /// <summary>An empty batch of this key's, done with, for its next <see cref="Waiting"/>.</summary>
    public KeyedConsumer.Records? Spare;

    /// <summary>The key's idempotency watermark entry, once it has one (see <see cref="Persistence.Internal.WatermarkTable"/>).</summary>
    public Persistence.Internal.WatermarkTable.Entry? Watermark;

    /// <summary>Its keyed consumer gave its remaining records up to the partition's next owner (draining).</summary>
    public bool Yielded;

    /// <summary>A started keyed consumer with nothing in flight or waiting: it may be passivated.</summary>
    public bool IsIdle => Ref is not null && InFlight == 0 && Waiting is null;

    // Links of the least-recently-used list, maintained by KeyTable.
    internal KeyState? Older;
    internal KeyState? Newer;
}
