namespace Broker.Processing.Internal;

/// <summary>The value bytes as they are (Broker hands over the record's own array, which nothing else holds).</summary>
internal sealed class ByteArrayDeserializer : IMessageDeserializer<byte[]>
{
    public byte[] Deserialize(ReadOnlySpan<byte> value, RecordHeaders headers) => value.ToArray();
}
