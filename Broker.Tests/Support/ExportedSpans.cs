using System.Collections;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Broker.Tests.Support;

/// <summary>
/// An OpenTelemetry TracerProvider listening to Broker's ActivitySource with the in-memory exporter, as an
/// application would set one up; collects every span as it ends. Other tests' nodes may emit Broker spans
/// at the same time, so look spans up by topic.
/// </summary>
public sealed class ExportedSpans : IDisposable
{
    private readonly Collection _spans = new();
    private readonly TracerProvider _provider;

    public ExportedSpans()
    {
        _provider = Sdk.CreateTracerProviderBuilder().AddSource("Broker").AddInMemoryExporter(_spans).Build();
    }

    public IReadOnlyList<Activity> All => _spans.Snapshot();

    /// <summary>Waits until <paramref name="count"/> ended spans named <paramref name="name"/> were exported.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(string name, int count, TimeSpan timeout)
    {
        IReadOnlyList<Activity> Named() => All.Where(a => a.DisplayName == name).ToArray();
        await Eventually.Until(() => Named().Count >= count, timeout, () => $"{count} '{name}' spans, got {Named().Count}");
        return Named();
    }

    public void Dispose() => _provider.Dispose();

    /// <summary>The exporter adds from the threads spans end on; the test reads from its own.</summary>
    private sealed class Collection : ICollection<Activity>
    {
        private readonly List<Activity> _items = new();

        public IReadOnlyList<Activity> Snapshot()
        {
            lock (_items) return _items.ToArray();
        }

        public void Add(Activity item)
        {
            lock (_items) _items.Add(item);
        }

        public void Clear()
        {
            lock (_items) _items.Clear();
        }

        public bool Contains(Activity item)
        {
            lock (_items) return _items.Contains(item);
        }

        public void CopyTo(Activity[] array, int arrayIndex)
        {
            lock (_items) _items.CopyTo(array, arrayIndex);
        }

        public bool Remove(Activity item)
        {
            lock (_items) return _items.Remove(item);
        }

        public int Count
        {
            get
            {
                lock (_items) return _items.Count;
            }
        }

        public bool IsReadOnly => false;

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
