using Akka.Cluster.Sharding;

namespace Broker.Sharding.Internal;

/// <summary>
/// Routes <see cref="ShardEnvelope"/>s: the shard is the record's topic-partition, never a hash of the
/// key, so a record and its keyed consumer stay on the node that fetched it.
/// </summary>
internal sealed class ShardMessageExtractor : IMessageExtractor
{
    public static readonly ShardMessageExtractor Instance = new();

    public string? EntityId(object message) => (message as ShardEnvelope)?.EntityId;

    public object? EntityMessage(object message) => message is ShardEnvelope e ? e.Message : message;

    [Obsolete("Use ShardId(EntityId, object) instead.")]
    public string? ShardId(object message) => (message as ShardEnvelope)?.ShardId;

    public string ShardId(string entityId, object? messageHint = null) =>
        messageHint is ShardEnvelope e ? e.ShardId : EntityIds.ShardOf(entityId);
}
