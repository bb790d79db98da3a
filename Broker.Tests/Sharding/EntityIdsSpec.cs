using System.Text;
using Broker.Sharding.Internal;

namespace Broker.Tests.Sharding;

public sealed class EntityIdsSpec
{
    [Fact]
    public void Shard_is_the_topic_partition_and_every_entity_id_names_its_shard()
    {
        var shard = EntityIds.Shard("orders", 3);
        Assert.Equal("orders/3", shard);
        Assert.Equal("orders/3#owner", EntityIds.Owner(shard));
        Assert.True(EntityIds.IsOwner("orders/3#owner"));
        Assert.False(EntityIds.IsOwner(EntityIds.ForKey(shard, Encoding.UTF8.GetBytes("owner"))));
        foreach (var id in new[] { EntityIds.Owner(shard), EntityIds.ForKey(shard, null), EntityIds.ForKey(shard, [0xff]) })
            Assert.Equal(shard, EntityIds.ShardOf(id));
    }

    [Fact]
    public void Entity_ids_are_fixed_functions_of_the_key_bytes()
    {
        // Golden values: any process, on any machine, computes exactly these.
        Assert.Equal("orders/3#k=customer-42", EntityIds.ForKey("orders/3", Encoding.UTF8.GetBytes("customer-42")));
        Assert.Equal("orders/3#k=", EntityIds.ForKey("orders/3", [])); // the empty key is a real key
        Assert.Equal("orders/3#n", EntityIds.ForKey("orders/3", null)); // one surrogate for null keys
        Assert.Equal("orders/3#b=_wABAg", EntityIds.ForKey("orders/3", [0xff, 0x00, 0x01, 0x02])); // not UTF-8
        Assert.Equal("orders/3#k=ключ", EntityIds.ForKey("orders/3", Encoding.UTF8.GetBytes("ключ")));
    }

    [Fact]
    public void Extractor_routes_envelopes_by_their_shard_and_entity()
    {
        var extractor = ShardMessageExtractor.Instance;
        var envelope = new ShardEnvelope("orders/3", "orders/3#k=a", "payload");
        Assert.Equal("orders/3#k=a", extractor.EntityId(envelope));
        Assert.Equal("orders/3", extractor.ShardId("orders/3#k=a", envelope));
        Assert.Equal("orders/3", extractor.ShardId("orders/3#k=a")); // no message needed
        Assert.Equal("payload", extractor.EntityMessage(envelope));
        Assert.Null(extractor.EntityId("not an envelope"));
    }
}
