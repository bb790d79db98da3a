namespace Broker.Sharding.Internal;

/// <summary>
/// The stop message the sharding region sends to every entity of a shard it hands off, and to an entity
/// whose passivation was accepted. Entities stop on it only once they may (see the partition owner and
/// keyed consumer for when that is).
/// </summary>
internal sealed class ShardStop
{
    public static readonly ShardStop Instance = new();
    private ShardStop() { }
}
