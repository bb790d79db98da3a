namespace Broker.Processing;

/// <summary>One Kafka record header: a UTF-8 key and a value that may be null and need not be text.</summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The value exactly as stored in Kafka (null when the record carried a null value).</param>
public readonly record struct RecordHeader(string Key, byte[]? Value);
