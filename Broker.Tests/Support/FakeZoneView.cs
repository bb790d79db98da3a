using System.Collections.Concurrent;
using Broker.Zones.Internal;

namespace Broker.Tests.Support;

/// <summary>A zone view whose publications the test writes: zones' states and each partition's home zone.</summary>
internal sealed class FakeZoneView(string localZone = "") : IZoneView
{
    private readonly ConcurrentDictionary<(string Consumer, string Shard), string> _homes = new();
    private int _homeZoneCalls;

    public string LocalZone { get; } = localZone;

    public IReadOnlyList<ZoneStatus> Zones { get; set; } = [];

    /// <summary>How many times <see cref="HomeZone"/> was asked.</summary>
    public int HomeZoneCalls => Volatile.Read(ref _homeZoneCalls);

    public string? HomeZone(string consumer, string shardId)
    {
        Interlocked.Increment(ref _homeZoneCalls);
        return _homes.TryGetValue((consumer, shardId), out var zone) ? zone : null;
    }

    /// <summary>Publishes <paramref name="zone"/> as the home zone of <paramref name="shardId"/> of <paramref name="consumer"/>.</summary>
    public FakeZoneView Home(string consumer, string shardId, string zone)
    {
        _homes[(consumer, shardId)] = zone;
        return this;
    }
}
