namespace Broker.Processing.Internal;

/// <summary>One handler call: its attempt number (from 1) and its deadline.</summary>
internal readonly record struct CallInfo(int Attempt, DateTimeOffset Deadline);
