using System.Text;

namespace Broker.Processing.Internal;

/// <summary>Strict UTF-8 text: bytes that are not UTF-8 are poison, not silently replaced.</summary>
internal sealed class Utf8StringDeserializer : IMessageDeserializer<string>
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Deserialize(ReadOnlySpan<byte> value, RecordHeaders headers) => Strict.GetString(value);
}
