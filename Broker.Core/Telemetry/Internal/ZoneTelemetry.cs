using System.Globalization;
using Broker.Zones.Internal;
using A = Broker.Telemetry.MessagingAttributes;

namespace Broker.Telemetry.Internal;

/// <summary>
/// The zone side of one consumer's telemetry on this node: records handled here, counted by whether their
/// partition's home zone (<see cref="IZoneView.HomeZone"/>) is this node's zone, and the zone view the zone
/// gauges read (<see cref="BrokerTelemetry"/>). A partition's answer is cached: the clock is read only every
/// <see cref="ClockEvery"/>th use of an entry (a clock read costs more than the rest together), and the view is asked
/// again once the entry is older than <see cref="RefreshAfter"/>; so a batch of records costs an array read, a parse
/// of the entity id's partition number and two additions, and a changed home zone shows within
/// <see cref="RefreshAfter"/> plus <see cref="ClockEvery"/> batches of the partition. The cache holds at most
/// <see cref="MaxCachedPartitions"/> partitions (higher partition numbers ask the view each time).
/// Thread-safe: keyed consumers call <see cref="Handled"/> from any thread.
/// </summary>
internal sealed class ZoneTelemetry
{
    /// <summary>Partitions 0..this-1 have a cache entry; a topic with more partitions still counts, uncached above.</summary>
    public const int MaxCachedPartitions = 4096;

    /// <summary>How long a partition's placement answer is reused: home zones change only when zones come or go.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(1);

    /// <summary>An entry's age is checked on every this many uses.</summary>
    public const int ClockEvery = 64;

    private readonly Func<IZoneView?> _view;
    private readonly TimeProvider _time;
    private readonly long _refreshTicks;
    private readonly KeyValuePair<string, object?>[][] _tags;
    private readonly object _growing = new();
    private Entry?[] _cache = [];
    private long _home, _away, _unknown;

    /// <param name="consumer">The consumer's name.</param>
    /// <param name="topic">Its topic: entity ids start with <c>topic/</c>.</param>
    /// <param name="localZone">This node's zone (<c>Broker:Cluster:Zone</c>), empty when it has none.</param>
    /// <param name="view">The node's zone view, null until Broker has started (<c>BrokerRuntime.Zones</c>).</param>
    /// <param name="time">The clock of the cache; <see cref="TimeProvider.System"/> by default.</param>
    public ZoneTelemetry(string consumer, string topic, string localZone, Func<IZoneView?> view, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _refreshTicks = (long)(RefreshAfter.TotalSeconds * _time.TimestampFrequency);
        Consumer = consumer;
        Topic = topic;
        LocalZone = localZone;
        _view = view;
        _tags = new KeyValuePair<string, object?>[3][];
        foreach (var placement in new[] { Placement.Home, Placement.Away, Placement.Unknown })
            _tags[(int)placement] = [new(A.Consumer, consumer), new(A.DestinationName, topic), new(A.Zone, localZone), new(A.ZonePlacement, Label(placement))];
    }

    /// <summary>Where a record's partition was hosted, relative to its home zone.</summary>
    public enum Placement
    {
        /// <summary>In its home zone.</summary>
        Home,

        /// <summary>In another zone: its home zone failed over, or its partitions are on their way back.</summary>
        Away,

        /// <summary>No home zone was published for it (yet).</summary>
        Unknown,
    }

    public string Consumer { get; }
    public string Topic { get; }

    /// <summary>This node's zone; empty when it has none.</summary>
    public string LocalZone { get; }

    /// <summary>The node's zone view now, or null before Broker has started.</summary>
    public IZoneView? View => _view();

    /// <summary>Records handled on this node while their partition was in its home zone.</summary>
    public long HomeTotal => Volatile.Read(ref _home);

    /// <summary>Records handled on this node while their partition was outside its home zone.</summary>
    public long AwayTotal => Volatile.Read(ref _away);

    /// <summary>Records handled on this node while their partition's home zone was not known.</summary>
    public long UnknownTotal => Volatile.Read(ref _unknown);

    /// <summary>Partitions with a cache entry slot (at most <see cref="MaxCachedPartitions"/>).</summary>
    internal int CachedPartitions => Volatile.Read(ref _cache).Length;

    /// <summary>A keyed consumer of <paramref name="partition"/> (-1: not known, see <see cref="PartitionOf"/>) handled <paramref name="records"/> more.</summary>
    public void Handled(int records, int partition)
    {
        if (records <= 0) return;
        var placement = Of(partition);
        switch (placement)
        {
            case Placement.Home: Interlocked.Add(ref _home, records); break;
            case Placement.Away: Interlocked.Add(ref _away, records); break;
            default: Interlocked.Add(ref _unknown, records); break;
        }
        if (BrokerTelemetry.ZoneHandled.Enabled) BrokerTelemetry.ZoneHandled.Add(records, _tags[(int)placement]);
    }

    /// <summary>Where <paramref name="partition"/> is hosted relative to its home zone, as cached (asked when older than <see cref="RefreshAfter"/>).</summary>
    internal Placement Of(int partition)
    {
        if (partition < 0) return Placement.Unknown;
        var cache = Volatile.Read(ref _cache);
        long now;
        if (partition < cache.Length && cache[partition] is { } cached)
        {
            // Racing threads may lose a decrement: the age is then checked a few uses later.
            if (--cached.Uses > 0) return cached.Placement;
            cached.Uses = ClockEvery;
            now = _time.GetTimestamp();
            if (now < cached.Until) return cached.Placement;
        }
        else
        {
            now = _time.GetTimestamp();
        }
        var placement = Ask(partition);
        if (partition < MaxCachedPartitions) Store(partition, new Entry(placement, now + _refreshTicks));
        return placement;
    }

    private Placement Ask(int partition)
    {
        if (_view() is not { } view) return Placement.Unknown;
        var home = view.HomeZone(Consumer, string.Create(CultureInfo.InvariantCulture, $"{Topic}/{partition}"));
        return home is null ? Placement.Unknown : home == LocalZone ? Placement.Home : Placement.Away;
    }

    private void Store(int partition, Entry entry)
    {
        var cache = Volatile.Read(ref _cache);
        if (partition >= cache.Length)
        {
            lock (_growing)
            {
                cache = _cache;
                if (partition >= cache.Length)
                {
                    var grown = new Entry?[Math.Min(MaxCachedPartitions, Math.Max(partition + 1, Math.Max(16, cache.Length * 2)))];
                    cache.CopyTo(grown, 0);
                    Volatile.Write(ref _cache, grown);
                    cache = grown;
                }
            }
        }
        // A store racing with a growth may land in the old array and be lost: the partition is asked again.
        cache[partition] = entry;
    }

    /// <summary>The partition number in an entity id of this consumer's topic (<c>orders/3#k=...</c>, see EntityIds), or -1.</summary>
    internal int PartitionOf(string entityId)
    {
        var i = Topic.Length;
        if (entityId.Length <= i + 1 || entityId[i] != '/' || !entityId.StartsWith(Topic, StringComparison.Ordinal)) return -1;
        int partition = 0, digits = 0;
        for (i++; i < entityId.Length && entityId[i] != '#'; i++)
        {
            var digit = entityId[i] - '0';
            if ((uint)digit > 9 || digits == 9) return -1; // 9 digits at most: no overflow, and far beyond any topic's partitions
            partition = partition * 10 + digit;
            digits++;
        }
        return digits == 0 ? -1 : partition;
    }

    /// <summary>The <see cref="A.ZonePlacement"/> label value.</summary>
    public static string Label(Placement placement) => placement switch
    {
        Placement.Home => "home",
        Placement.Away => "away",
        _ => "unknown",
    };

    private sealed class Entry(Placement placement, long until)
    {
        public Placement Placement { get; } = placement;
        public long Until { get; } = until;

        /// <summary>Uses left before the entry's age is checked.</summary>
        public int Uses = ClockEvery;
    }
}
