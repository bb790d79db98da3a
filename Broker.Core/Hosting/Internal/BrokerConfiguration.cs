using Broker.Telemetry.Internal;
using Microsoft.Extensions.Configuration;

namespace Broker.Hosting.Internal;

/// <summary>
/// Broker's configuration after binding the <c>Broker</c> section, applying code and checking it all.
/// Creating it throws <see cref="BrokerConfigurationException"/> listing every problem.
/// </summary>
internal sealed class BrokerConfiguration
{
    public BrokerConfiguration(IConfiguration configuration, BrokerDefinition definition)
    {
        var problems = new List<string>();
        var options = BrokerOptionsBinder.Bind(configuration.GetSection(BrokerOptionsBinder.SectionName), problems);
        foreach (var configure in definition.Configurators) configure(options);
        BrokerOptionsValidator.Validate(options, definition.SystemName, problems);
        if (problems.Count > 0) throw new BrokerConfigurationException(problems);

        Settings = BrokerSettings.Create(options);
        Inspection = Broker.Inspection.Internal.InspectionSettings.Create(options.Inspection);
        Telemetry = TelemetrySettings.Create(options.Telemetry, Environment.GetEnvironmentVariable(TelemetrySettings.OtlpEndpointVariable));
        var consumers = new List<ResolvedConsumer>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var topicGroups = new HashSet<(string, string)>();
        foreach (var c in definition.Consumers)
        {
            var where = $"consumer '{c.Name}' (AddConsumer)";
            if (!BrokerOptionsValidator.IsValidTopic(c.Topic))
                problems.Add($"{where} topic = '{c.Topic}': not a Kafka topic name. Fix: use 1-249 letters, digits, '.', '_' or '-'.");
            if (!names.Add(c.Name))
                problems.Add($"{where} Name = '{c.Name}': two consumers have this name. Fix: give each consumer a unique Name.");
            var group = c.GroupId ?? Settings.GroupId;
            if (string.IsNullOrWhiteSpace(group))
                problems.Add($"{where} GroupId = '{group}': cannot be blank. Fix: set a group id or leave it null to use Broker:GroupId.");
            else if (!topicGroups.Add((c.Topic, group)))
                problems.Add($"{where}: topic '{c.Topic}' is consumed twice in group '{group}'. Fix: use one consumer per topic and group, or different group ids.");
            BrokerOptionsValidator.ValidateConsumer(c.Options, where + " Options.", problems);
            var settings = Settings.Consumer.With(c.Options);
            BrokerOptionsValidator.ValidateEffective(settings, where, problems);
            consumers.Add(new ResolvedConsumer(c, group, settings));
        }
        if (definition.Consumers.Count == 0)
            problems.Add("AddBroker registered no consumer. Fix: call broker.AddConsumer<TMessage, THandler>(\"topic\").");
        if (problems.Count > 0) throw new BrokerConfigurationException(problems);
        Consumers = consumers;
        SystemName = definition.SystemName;
    }

    public string SystemName { get; }
    public BrokerSettings Settings { get; }
    public Broker.Inspection.Internal.InspectionSettings Inspection { get; }
    public TelemetrySettings Telemetry { get; }
    public IReadOnlyList<ResolvedConsumer> Consumers { get; }
}
