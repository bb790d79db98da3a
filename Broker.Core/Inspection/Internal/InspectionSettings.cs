using System.Net;
using Broker.Hosting;
using Broker.Hosting.Internal;

namespace Broker.Inspection.Internal;

/// <summary>The command host's effective settings (reference.conf overlaid with <see cref="InspectionOptions"/>) and its fixed bounds.</summary>
internal sealed record InspectionSettings(bool Enabled, string Hostname, int Port, string? Token)
{
    /// <summary>Shortest token accepted.</summary>
    public const int MinTokenLength = 16;

    /// <summary>Connections served at once; one more is answered "busy" and closed.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>Longest request line, bytes.</summary>
    public int MaxRequestBytes { get; init; } = 8 * 1024;

    /// <summary>How long a client may take to send its request line.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a write to a client may block (a client that stops reading is dropped).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Events a streaming command (<c>cluster tail</c>) buffers for a slow client before it ends the stream.</summary>
    public int StreamBuffer { get; init; } = 256;

    public static InspectionSettings Create(InspectionOptions o)
    {
        var r = BrokerSettings.Reference.GetConfig("broker.inspection");
        var token = o.Token ?? r.GetString("token");
        return new InspectionSettings(
            o.Enabled ?? r.GetBoolean("enabled"),
            o.Hostname ?? r.GetString("hostname"),
            o.Port ?? r.GetInt("port"),
            string.IsNullOrEmpty(token) ? null : token);
    }

    /// <summary>True for <c>localhost</c> and loopback IP addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string hostname) =>
        hostname.Trim().Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(hostname.Trim(), out var ip) && IPAddress.IsLoopback(ip));
}
