namespace Broker.Processing.Internal;

/// <summary>See <see cref="RecordOutcome"/>.</summary>
internal enum RecordOutcomeKind
{
    Handled,
    DeadLetter,
    Stopped,

    /// <summary>
    /// Given up without a call in progress (it was waiting for the breaker or for its next attempt) because its
    /// partition is handing off: not done, read again by the partition's next owner.
    /// </summary>
    Yielded,
}
