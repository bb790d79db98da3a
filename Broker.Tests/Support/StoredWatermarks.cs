using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Broker.Persistence.Internal;

namespace Broker.Tests.Support;

/// <summary>
/// Every idempotency watermark a node has stored in its journal, as the node's event stream reports it
/// (<see cref="PartitionWatermarks.WatermarksStored"/>): the highest stored offset per (partition, key).
/// </summary>
public sealed class StoredWatermarks
{
    private readonly ConcurrentDictionary<(int Partition, string Key), long> _highest = new();

    private StoredWatermarks() { }

    /// <summary>Starts following <paramref name="system"/>'s stored watermarks.</summary>
    public static StoredWatermarks Follow(ActorSystem system)
    {
        var stored = new StoredWatermarks();
        var listener = system.ActorOf(Props.Create(() => new Listener(stored)));
        system.EventStream.Subscribe(listener, typeof(PartitionWatermarks.WatermarksStored));
        return stored;
    }

    /// <summary>The highest stored offset of <paramref name="key"/> in <paramref name="partition"/>, or -1.</summary>
    public long Of(int partition, byte[]? key) =>
        _highest.TryGetValue((partition, KeyText(key)), out var offset) ? offset : -1;

    private static string KeyText(byte[]? key) => key is null ? "<null>" : Encoding.UTF8.GetString(key);

    private void Add(PartitionWatermarks.WatermarksStored stored)
    {
        var partition = int.Parse(stored.PersistenceId[(stored.PersistenceId.LastIndexOf('/') + 1)..]);
        foreach (var w in stored.Watermarks)
            _highest.AddOrUpdate((partition, KeyText(w.Key)), w.Offset, (_, old) => Math.Max(old, w.Offset));
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(StoredWatermarks stored) => Receive<PartitionWatermarks.WatermarksStored>(stored.Add);
    }
}
