namespace Broker.Processing.Internal;

/// <summary>How a record ended in its keyed consumer.</summary>
/// <param name="Kind">Handled, to be dead-lettered, cut short by the partition stopping here, or given up for its next owner.</param>
/// <param name="Attempts">Handler calls made.</param>
/// <param name="Reason">For dead letters: <c>deserialization</c>, <c>missing-key</c>, <c>handler</c> or <c>timeout</c>.</param>
/// <param name="Error">For dead letters: the last exception, if any.</param>
internal readonly record struct RecordOutcome(RecordOutcomeKind Kind, int Attempts, string? Reason, Exception? Error);
