using System.Text;
using Akka.TestKit.Xunit2;
using Broker.Persistence.Internal;

namespace Broker.Tests.Persistence;

/// <summary>Watermarks go into the journal in Broker's binary form and come back the same.</summary>
public sealed class WatermarkSerializerSpec() : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(Broker.Hosting.Internal.BrokerSettings.Reference))
{
    [Fact]
    public void Watermark_events_and_snapshots_round_trip_through_the_binary_serializer()
    {
        var watermarks = new[] { new Watermark(Encoding.UTF8.GetBytes("customer-7"), 42), new Watermark(null, 7), new Watermark([], 0) };
        foreach (object message in new object[] { new WatermarksAdvanced(41, watermarks), new WatermarkSnapshot(-1, watermarks) })
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<WatermarkSerializer>(serializer);
            var bytes = serializer.ToBinary(message);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
            var (committed, restored) = back switch
            {
                WatermarksAdvanced a => (a.Committed, a.Watermarks),
                WatermarkSnapshot s => (s.Committed, s.Watermarks),
                _ => throw new InvalidOperationException(back.GetType().Name),
            };
            Assert.Equal(message is WatermarksAdvanced ? 41 : -1, committed);
            Assert.Equal(watermarks.Select(w => (w.Key is null ? null : Convert.ToHexString(w.Key), w.Offset)),
                restored.Select(w => (w.Key is null ? null : Convert.ToHexString(w.Key), w.Offset)));
            Assert.True(bytes.Length < 64, $"{bytes.Length} bytes for three watermarks");
        }
    }
}
