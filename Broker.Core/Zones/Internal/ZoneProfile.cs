namespace Broker.Zones.Internal;

/// <summary>
/// A zone's static place in placement: <paramref name="Priority"/> (0..1000; a failed zone's partitions go to
/// the healthy zone with the lowest number) and <paramref name="Weight"/> (above 0; its share of home
/// partitions relative to the other zones' weights).
/// </summary>
internal readonly record struct ZoneProfile(int Priority, double Weight);
