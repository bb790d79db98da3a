namespace Broker.Processing;

/// <summary>
/// Handles the records of one consumer. For each key, Broker calls it for one record at a time, in
/// offset order; different keys run in parallel, so a handler registered with
/// <see cref="Hosting.HandlerLifetime.Singleton"/> must be thread-safe.
/// </summary>
/// <typeparam name="TMessage">The deserialized record value.</typeparam>
public interface IMessageHandler<TMessage>
{
    /// <summary>
    /// Handles one record. Completing the task marks the record done (its offset can be committed);
    /// throwing marks it failed (logged and counted; it never stops the consumer or the node).
    /// Do not block the thread: await I/O instead.
    /// </summary>
    /// <param name="context">The record: topic, partition, offset, key, headers, timestamp and message.</param>
    /// <param name="cancellationToken">Fires when the node stops or the record's partition moves away.</param>
    Task HandleAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken);
}
