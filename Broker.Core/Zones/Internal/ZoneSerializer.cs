using Akka.Actor;
using Akka.Serialization;

namespace Broker.Zones.Internal;

/// <summary>
/// Binary form of the zone values Akka.DistributedData gossips: a node's <see cref="ZoneHealthReport"/> and a
/// consumer's <see cref="ZonePlacement"/>. Strings are length-prefixed UTF-8, integers 7-bit encoded, shares
/// and scores 8-byte doubles, durations and instants in ticks; a placement writes each zone name once and
/// refers to it by index in the home table, so a thousand partitions cost a few bytes each.
/// </summary>
internal sealed class ZoneSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Broker's serializer id for zone values.</summary>
    public const int SerializerId = 7413;

    private const string ReportManifest = "H";
    private const string PlacementManifest = "P";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        ZoneHealthReport => ReportManifest,
        ZonePlacement => PlacementManifest,
        _ => throw new ArgumentException($"{nameof(ZoneSerializer)} cannot serialize {o.GetType()}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            switch (obj)
            {
                case ZoneHealthReport r:
                    Write(writer, r);
                    break;
                case ZonePlacement p:
                    Write(writer, p);
                    break;
                default:
                    throw new ArgumentException($"{nameof(ZoneSerializer)} cannot serialize {obj.GetType()}.", nameof(obj));
            }
        }
        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return manifest switch
        {
            ReportManifest => ReadReport(reader),
            PlacementManifest => ReadPlacement(reader),
            _ => throw new System.Runtime.Serialization.SerializationException($"{nameof(ZoneSerializer)} does not know manifest '{manifest}'."),
        };
    }

    private static void Write(BinaryWriter writer, ZoneHealthReport report)
    {
        writer.Write7BitEncodedInt64(report.Sequence);
        writer.Write7BitEncodedInt(report.Consumers.Count);
        foreach (var c in report.Consumers)
        {
            writer.Write(c.Consumer);
            writer.Write(c.BreakersClosed);
            writer.Write(c.ErrorRate);
            writer.Write7BitEncodedInt64(Math.Max(0, c.Latency.Ticks));
        }
    }

    private static ZoneHealthReport ReadReport(BinaryReader reader)
    {
        var sequence = reader.Read7BitEncodedInt64();
        var consumers = new ConsumerHealth[reader.Read7BitEncodedInt()];
        for (var i = 0; i < consumers.Length; i++)
            consumers[i] = new ConsumerHealth(reader.ReadString(), reader.ReadDouble(), reader.ReadDouble(),
                TimeSpan.FromTicks(reader.Read7BitEncodedInt64()));
        return new ZoneHealthReport(sequence, consumers);
    }

    private static void Write(BinaryWriter writer, ZonePlacement placement)
    {
        writer.Write(placement.Consumer);
        writer.Write7BitEncodedInt64(placement.Round);
        writer.Write(placement.PublishedAt.UtcTicks);
        writer.Write7BitEncodedInt(placement.Zones.Count);
        foreach (var z in placement.Zones)
        {
            writer.Write(z.Zone);
            writer.Write((byte)z.State);
            writer.Write(z.Since.UtcTicks);
            writer.Write(z.Score);
            writer.Write7BitEncodedInt(z.Nodes.Count);
            foreach (var node in z.Nodes) writer.Write(node);
            writer.Write7BitEncodedInt(z.ShardsHomed);
            writer.Write7BitEncodedInt(z.ShardsHosted);
        }
        // Home zones by index into a table of the names they use (usually the zones above, in order).
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var zone in placement.Homes.Values)
            if (index.TryAdd(zone, names.Count)) names.Add(zone);
        writer.Write7BitEncodedInt(names.Count);
        foreach (var name in names) writer.Write(name);
        writer.Write7BitEncodedInt(placement.Homes.Count);
        foreach (var (shard, zone) in placement.Homes)
        {
            writer.Write(shard);
            writer.Write7BitEncodedInt(index[zone]);
        }
    }

    private static ZonePlacement ReadPlacement(BinaryReader reader)
    {
        var consumer = reader.ReadString();
        var round = reader.Read7BitEncodedInt64();
        var publishedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var zones = new ZoneStatus[reader.Read7BitEncodedInt()];
        for (var i = 0; i < zones.Length; i++)
        {
            var zone = reader.ReadString();
            var state = (ZoneState)reader.ReadByte();
            var since = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var score = reader.ReadDouble();
            var nodes = new string[reader.Read7BitEncodedInt()];
            for (var n = 0; n < nodes.Length; n++) nodes[n] = reader.ReadString();
            zones[i] = new ZoneStatus(consumer, zone, state, since, score, nodes, reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt());
        }
        var names = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < names.Length; i++) names[i] = reader.ReadString();
        var count = reader.Read7BitEncodedInt();
        var homes = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++) homes[reader.ReadString()] = names[reader.Read7BitEncodedInt()];
        return new ZonePlacement(consumer, round, publishedAt, zones, homes);
    }
}
