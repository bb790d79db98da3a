namespace Broker.Zones.Internal;

internal sealed partial class ZoneHealthReporter
{
    /// <summary>To self, every report interval: publish this node's report.</summary>
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }
}
