namespace Broker.Processing.Internal;

/// <summary>The value bytes as they are (a copy the handler may keep).</summary>
internal sealed class ByteArrayDeserializer : IMessageDeserializer<byte[]>
{
    public byte[] Deserialize(ReadOnlySpan<byte> value, RecordHeaders headers) => value.ToArray();
}
