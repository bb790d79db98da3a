namespace Broker.Hosting;

/// <summary>What a consumer does with a record whose key is null (legal in Kafka).</summary>
public enum NullKeyPolicy
{
    /// <summary>
    /// Default. All null-key records of a partition go to one surrogate keyed consumer, so they keep
    /// the partition's offset order (configuration value <c>partition</c>).
    /// </summary>
    Partition,

    /// <summary>
    /// The record goes to the dead-letter topic with reason <c>missing-key</c>; the handler is not called
    /// (configuration value <c>dead-letter</c>).
    /// </summary>
    DeadLetter,
}
