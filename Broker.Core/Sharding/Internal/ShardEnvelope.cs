namespace Broker.Sharding.Internal;

/// <summary>
/// A message for one entity of a consumer's sharding region: <paramref name="ShardId"/> is
/// <c>topic/partition</c>, <paramref name="EntityId"/> comes from <see cref="EntityIds"/>.
/// </summary>
internal sealed record ShardEnvelope(string ShardId, string EntityId, object Message);
