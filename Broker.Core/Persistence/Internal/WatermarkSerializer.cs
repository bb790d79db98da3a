using Akka.Actor;
using Akka.Serialization;

namespace Broker.Persistence.Internal;

/// <summary>
/// Binary form of what <see cref="PartitionWatermarks"/> stores: the committed offset, a count, then per watermark a flag (0 = the
/// null key, 1 = key bytes follow, length-prefixed) and the offset, integers 7-bit encoded. Compact enough
/// that a batch of 1,000 watermarks of short keys is a few kilobytes.
/// </summary>
internal sealed class WatermarkSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Broker's serializer id for watermark events and snapshots.</summary>
    public const int SerializerId = 7412;

    private const string AdvancedManifest = "WA";
    private const string SnapshotManifest = "WS";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        WatermarksAdvanced => AdvancedManifest,
        WatermarkSnapshot => SnapshotManifest,
        _ => throw new ArgumentException($"{nameof(WatermarkSerializer)} cannot serialize {o.GetType()}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        WatermarksAdvanced a => Write(a.Committed, a.Watermarks),
        WatermarkSnapshot s => Write(s.Committed, s.Watermarks),
        _ => throw new ArgumentException($"{nameof(WatermarkSerializer)} cannot serialize {obj.GetType()}.", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return manifest switch
        {
            AdvancedManifest => new WatermarksAdvanced(reader.ReadInt64(), Read(reader)),
            SnapshotManifest => new WatermarkSnapshot(reader.ReadInt64(), Read(reader)),
            _ => throw new System.Runtime.Serialization.SerializationException($"{nameof(WatermarkSerializer)} does not know manifest '{manifest}'."),
        };
    }

    private static byte[] Write(long committed, IReadOnlyList<Watermark> watermarks)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(committed);
            writer.Write7BitEncodedInt(watermarks.Count);
            foreach (var w in watermarks)
            {
                if (w.Key is null)
                {
                    writer.Write((byte)0);
                }
                else
                {
                    writer.Write((byte)1);
                    writer.Write7BitEncodedInt(w.Key.Length);
                    writer.Write(w.Key);
                }
                writer.Write7BitEncodedInt64(w.Offset);
            }
        }
        return buffer.ToArray();
    }

    private static Watermark[] Read(BinaryReader reader)
    {
        var watermarks = new Watermark[reader.Read7BitEncodedInt()];
        for (var i = 0; i < watermarks.Length; i++)
        {
            var key = reader.ReadByte() == 0 ? null : reader.ReadBytes(reader.Read7BitEncodedInt());
            watermarks[i] = new Watermark(key, reader.Read7BitEncodedInt64());
        }
        return watermarks;
    }
}
