namespace Broker.Processing.Internal;

/// <summary>See <see cref="RecordOutcome"/>.</summary>
internal enum RecordOutcomeKind
{
    Handled,
    DeadLetter,
    Stopped,
}
