using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;

namespace Broker.Sharding.Internal;

/// <summary>
/// Shard and entity ids. A shard is one topic-partition (<c>orders/3</c>); every entity id starts with
/// its shard id and a <c>#</c> (Kafka topic names cannot contain <c>#</c>), so the shard of any entity id
/// is known without the message, and ids are unique across the whole region:
/// <list type="bullet">
/// <item><c>orders/3#owner</c>: the partition owner;</item>
/// <item><c>orders/3#k=cust-42</c>: the keyed consumer of a key that is valid UTF-8 (the empty key is <c>#k=</c>);</item>
/// <item><c>orders/3#b=AQID</c>: a key that is not UTF-8, as unpadded base64url;</item>
/// <item><c>orders/3#n</c>: the one surrogate key for records with a null key in that partition.</item>
/// </list>
/// Pure functions of the bytes: the same in every process.
/// </summary>
internal static class EntityIds
{
    private const string OwnerSuffix = "#owner";

    public static string Shard(string topic, int partition) => $"{topic}/{partition}";

    public static string Owner(string shardId) => shardId + OwnerSuffix;

    public static bool IsOwner(string entityId) => entityId.EndsWith(OwnerSuffix, StringComparison.Ordinal);

    public static string ForKey(string shardId, byte[]? key)
    {
        if (key is null) return shardId + "#n";
        if (Utf8.IsValid(key)) return shardId + "#k=" + Encoding.UTF8.GetString(key);
        return shardId + "#b=" + Base64Url.EncodeToString(key);
    }

    public static string ShardOf(string entityId)
    {
        var hash = entityId.IndexOf('#');
        if (hash <= 0) throw new ArgumentException($"'{entityId}' is not a Broker entity id (expected 'topic/partition#...').", nameof(entityId));
        return entityId[..hash];
    }
}
