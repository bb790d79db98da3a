using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Kafka.Internal;

/// <summary>Forwards librdkafka's log lines to Microsoft logging at the matching level.</summary>
internal static class KafkaLog
{
    public static void Write(ILogger logger, LogMessage m)
    {
        var level = m.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(level))
            logger.Log(level, "librdkafka {Client} {Facility}: {Message}", m.Name, m.Facility, m.Message);
    }
}
