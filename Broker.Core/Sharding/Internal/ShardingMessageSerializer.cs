using Akka.Actor;
using Akka.Serialization;
using Broker.Processing.Internal;

namespace Broker.Sharding.Internal;

/// <summary>
/// Binary serializer of Broker's messages that can cross nodes: the partition discovery singleton's
/// <see cref="PartitionOwner.Ensure"/> in a <see cref="ShardEnvelope"/> to a remote region, and
/// <see cref="ShardStop"/>. Records never cross nodes (a record's keyed consumer lives on the node that
/// fetched it), so these are the only ones. Strings are length-prefixed UTF-8, integers 7-bit encoded; an
/// envelope's inner message is written with whatever serializer Akka binds to it.
/// </summary>
internal sealed class ShardingMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Broker's serializer id for sharding messages (Akka reserves 0..40).</summary>
    public const int SerializerId = 7411;

    private const string EnvelopeManifest = "E";
    private const string EnsureManifest = "N";
    private const string StopManifest = "S";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        ShardEnvelope => EnvelopeManifest,
        PartitionOwner.Ensure => EnsureManifest,
        ShardStop => StopManifest,
        _ => throw new ArgumentException($"{nameof(ShardingMessageSerializer)} cannot serialize {o.GetType()}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            switch (obj)
            {
                case ShardEnvelope e:
                    writer.Write(e.ShardId);
                    writer.Write(e.EntityId);
                    var serializer = system.Serialization.FindSerializerFor(e.Message);
                    writer.Write7BitEncodedInt(serializer.Identifier);
                    writer.Write(Akka.Serialization.Serialization.ManifestFor(serializer, e.Message));
                    var payload = serializer.ToBinary(e.Message);
                    writer.Write7BitEncodedInt(payload.Length);
                    writer.Write(payload);
                    break;
                case PartitionOwner.Ensure n:
                    writer.Write(n.Topic);
                    writer.Write7BitEncodedInt(n.Partition);
                    break;
                case ShardStop:
                    break;
                default:
                    throw new ArgumentException($"{nameof(ShardingMessageSerializer)} cannot serialize {obj.GetType()}.", nameof(obj));
            }
        }
        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        switch (manifest)
        {
            case EnvelopeManifest:
                var shard = reader.ReadString();
                var entity = reader.ReadString();
                var serializerId = reader.Read7BitEncodedInt();
                var innerManifest = reader.ReadString();
                var payload = reader.ReadBytes(reader.Read7BitEncodedInt());
                return new ShardEnvelope(shard, entity, system.Serialization.Deserialize(payload, serializerId, innerManifest));
            case EnsureManifest:
                return new PartitionOwner.Ensure(reader.ReadString(), reader.Read7BitEncodedInt());
            case StopManifest:
                return ShardStop.Instance;
            default:
                throw new System.Runtime.Serialization.SerializationException($"{nameof(ShardingMessageSerializer)} does not know manifest '{manifest}'.");
        }
    }
}
