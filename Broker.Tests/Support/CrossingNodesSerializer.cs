using Akka.Actor;
using Akka.Serialization;

namespace Broker.Tests.Support;

/// <summary>
/// Bound (in tests only) to the messages that carry records, so any record that would cross nodes is
/// counted: Akka serializes only what it sends to another node.
/// </summary>
public sealed class CrossingNodesSerializer(ExtendedActorSystem system) : Serializer(system)
{
    private static long _serialized;

    public static long Serialized => Interlocked.Read(ref _serialized);

    public const string Hocon = """
        akka.actor.serializers.test-crossing = "Broker.Tests.Support.CrossingNodesSerializer, Broker.Tests"
        akka.actor.serialization-bindings {
          "Broker.Processing.Internal.KeyedConsumer+Records, Broker.Core" = test-crossing
          "Broker.Processing.Internal.KeyedConsumer+Start, Broker.Core" = test-crossing
        }
        """;

    public override int Identifier => 7499;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        Interlocked.Increment(ref _serialized);
        return [];
    }

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new InvalidOperationException("A record crossed nodes.");
}
