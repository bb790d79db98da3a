using Broker.Hosting;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Processing.Internal;

/// <summary>The <see cref="RecordHandler"/> of a consumer of <typeparamref name="TMessage"/> handled by <typeparamref name="THandler"/>.</summary>
internal sealed class TypedRecordHandler<TMessage, THandler> : RecordHandler
    where THandler : class, IMessageHandler<TMessage>
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IMessageDeserializer<TMessage> _deserializer;
    private readonly THandler? _singleton;
    private readonly string _consumerName;
    private readonly string _groupId;

    /// <summary>The default byte[] deserializer: hand over the record's own value array (nothing else holds it).</summary>
    private readonly bool _rawValue;

    public TypedRecordHandler(IServiceProvider services, HandlerLifetime lifetime,
        IMessageDeserializer<TMessage> deserializer, string consumerName, string groupId)
    {
        _scopes = services.GetRequiredService<IServiceScopeFactory>();
        _deserializer = deserializer;
        _rawValue = deserializer is ByteArrayDeserializer;
        _consumerName = consumerName;
        _groupId = groupId;
        if (lifetime == HandlerLifetime.Singleton) _singleton = services.GetRequiredService<THandler>();
    }

    public override Task HandleAsync(ConsumeResult<byte[], byte[]> record, CallInfo call, CancellationToken cancellationToken)
    {
        TMessage? message = default;
        var headers = record.Message.Headers is { Count: > 0 } h ? new RecordHeaders(h) : RecordHeaders.Empty;
        if (record.Message.Value is { } value)
        {
            try
            {
                message = _rawValue ? (TMessage)(object)value : _deserializer.Deserialize(value, headers);
            }
            catch (Exception e)
            {
                throw new PoisonRecordException("deserialization", e);
            }
        }
        var context = new ConsumeContext<TMessage>(record, message, headers, _consumerName, _groupId, call.Attempt, call.Deadline);
        return _singleton is not null
            ? _singleton.HandleAsync(context, cancellationToken)
            : HandleScopedAsync(context, cancellationToken);
    }

    private async Task HandleScopedAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<THandler>();
        await handler.HandleAsync(context, cancellationToken).ConfigureAwait(false);
    }
}
