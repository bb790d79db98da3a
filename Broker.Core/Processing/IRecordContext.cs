namespace Broker.Processing;

/// <summary>The record a handler is working on, as a cause of what it produces (see <see cref="Kafka.IBrokerProducer"/>).</summary>
public interface IRecordContext
{
    /// <summary>The topic.</summary>
    string Topic { get; }

    /// <summary>The partition.</summary>
    int Partition { get; }

    /// <summary>The offset.</summary>
    long Offset { get; }

    /// <summary>When the current handler call's CancellationToken fires.</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>The record's headers.</summary>
    RecordHeaders Headers { get; }
}
