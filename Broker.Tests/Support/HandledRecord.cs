using Broker.Processing;

namespace Broker.Tests.Support;

/// <summary>A record as a test handler saw it.</summary>
public sealed record HandledRecord(
    string Topic, int Partition, long Offset, byte[]? Key, string? Value, bool IsTombstone,
    IReadOnlyList<RecordHeader> Headers, string Node);
