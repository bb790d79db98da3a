using Akka.TestKit.Xunit2;
using Broker.Processing.Internal;
using Broker.Sharding.Internal;

namespace Broker.Tests.Sharding;

/// <summary>The messages that cross nodes to start partition owners and stop shards use Broker's binary serializer.</summary>
public sealed class ShardingMessageSerializerSpec() : TestKit(Akka.Configuration.ConfigurationFactory
    .ParseString("akka.actor.provider = local").WithFallback(Broker.Hosting.Internal.BrokerSettings.Reference))
{
    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ShardingMessageSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    [Fact]
    public void Envelopes_ensure_and_stop_round_trip_and_nested_messages_keep_their_own_serializer()
    {
        var ensure = new PartitionOwner.Ensure("orders", 11);
        Assert.Equal(ensure, RoundTrip(ensure));
        Assert.Same(ShardStop.Instance, RoundTrip(ShardStop.Instance));

        var envelope = (ShardEnvelope)RoundTrip(new ShardEnvelope("orders/11", "orders/11#owner", ensure));
        Assert.Equal("orders/11", envelope.ShardId);
        Assert.Equal("orders/11#owner", envelope.EntityId);
        Assert.Equal(ensure, envelope.Message);
    }

    [Fact]
    public void A_message_it_does_not_own_is_refused_with_its_type()
    {
        var serializer = new ShardingMessageSerializer((Akka.Actor.ExtendedActorSystem)Sys);
        var error = Assert.Throws<ArgumentException>(() => serializer.ToBinary("text"));
        Assert.Contains("System.String", error.Message);
    }
}
