namespace Broker.Zones.Internal;

/// <summary>
/// One consumer's health on one node over the last report interval (<see cref="ZoneHealthReport"/>).
/// </summary>
/// <param name="Consumer">The consumer's name (<c>Broker:Consumers:NAME</c>).</param>
/// <param name="BreakersClosed">Share of its breakers that are Closed, 0..1: Closed 1, Half-open 0.5 while trial calls run (1 before the first), Open 0, none 1.</param>
/// <param name="ErrorRate">Failed handler calls over handler calls in the interval, 0..1; 0 when there was no call.</param>
/// <param name="Latency">Mean duration of a handler call in the interval; zero when there was no call.</param>
internal sealed record ConsumerHealth(string Consumer, double BreakersClosed, double ErrorRate, TimeSpan Latency);
