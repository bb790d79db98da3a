namespace Broker.Hosting;

/// <summary>
/// Broker's configuration is invalid. Thrown when the host starts, before anything connects to Kafka or
/// consumes; <see cref="Exception.Message"/> lists every problem as
/// <c>key = 'value': what is wrong. Fix: what to do</c>.
/// </summary>
public sealed class BrokerConfigurationException : Exception
{
    /// <summary>Creates the exception from one line per problem.</summary>
    public BrokerConfigurationException(IReadOnlyList<string> problems)
        : base("Broker configuration is invalid:" + Environment.NewLine + "  " +
               string.Join(Environment.NewLine + "  ", problems))
    {
        Problems = problems;
    }

    /// <summary>One line per problem, each naming the key, the value and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }
}
