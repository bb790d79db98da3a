namespace Broker.Persistence.Internal;

/// <summary>
/// The highest offset finished for one key of a partition: every record of the key at or below it is done
/// (a key's records finish in offset order). <paramref name="Key"/> is null for the surrogate key of
/// null-key records.
/// </summary>
internal readonly record struct Watermark(byte[]? Key, long Offset);
