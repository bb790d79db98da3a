namespace Broker.Hosting.Internal;

/// <summary>A registered consumer with its configuration applied and checked.</summary>
internal sealed record ResolvedConsumer(ConsumerRegistration Registration, string GroupId, ConsumerSettings Settings)
{
    public string Name => Registration.Name;
    public string Topic => Registration.Topic;
}
