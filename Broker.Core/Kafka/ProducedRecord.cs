namespace Broker.Kafka;

/// <summary>Where a produced record was written.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">Its offset in that partition.</param>
public sealed record ProducedRecord(string Topic, int Partition, long Offset);
