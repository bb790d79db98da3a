using System.Text.Json;

namespace Broker.Processing;

/// <summary>
/// The default deserializer for message types other than <see cref="string"/> and <see cref="byte"/>[]:
/// System.Text.Json with web defaults (camelCase, case-insensitive). A JSON <c>null</c> literal is
/// rejected as poison (a null value, the tombstone, never reaches a deserializer).
/// </summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public sealed class JsonMessageDeserializer<TMessage> : IMessageDeserializer<TMessage>
{
    private readonly JsonSerializerOptions _options;

    /// <param name="options">Serializer options; default <see cref="JsonSerializerDefaults.Web"/>.</param>
    public JsonMessageDeserializer(JsonSerializerOptions? options = null) =>
        _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    /// <exception cref="JsonException">The bytes are not JSON for <typeparamref name="TMessage"/>, or are the literal null.</exception>
    public TMessage Deserialize(ReadOnlySpan<byte> value, RecordHeaders headers) =>
        JsonSerializer.Deserialize<TMessage>(value, _options)
        ?? throw new JsonException($"The value is the JSON literal null, not a {typeof(TMessage).Name}.");
}
