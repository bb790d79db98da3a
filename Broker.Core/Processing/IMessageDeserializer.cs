namespace Broker.Processing;

/// <summary>
/// Turns a record's value bytes into a message. Called once per non-null value, on the keyed consumer
/// of the record's key. Throwing marks the record as poison: it goes to the dead-letter topic with
/// reason <c>deserialization</c> and the handler is not called.
/// </summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public interface IMessageDeserializer<out TMessage>
{
    /// <summary>Deserializes <paramref name="value"/>; throws when the bytes are not a <typeparamref name="TMessage"/>.</summary>
    TMessage Deserialize(ReadOnlySpan<byte> value, RecordHeaders headers);
}
