namespace Broker.Hosting;

/// <summary>
/// The node's inspection command host (configuration section <c>Broker:Inspection</c>): a TCP port that
/// answers <c>cluster show</c>, <c>consumers</c>, <c>health</c> and the other commands of
/// <see cref="Broker.Inspection.InspectionClient.Commands"/>. Null keeps the default.
/// </summary>
public sealed class InspectionOptions
{
    /// <summary>Serve inspection commands at all. Default true.</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Address to listen on: an IP address or a host name. Default <c>127.0.0.1</c> (loopback only). Any
    /// address that is not loopback (e.g. <c>0.0.0.0</c>) requires <see cref="Token"/>.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>TCP port; 0 picks a free one (see <see cref="Broker.Inspection.BrokerStatus.InspectionEndpoint"/>). Default 9110. Range 0..65535.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// Shared secret every request must carry (the CLI's <c>--token</c>), at least 16 characters. Required when
    /// <see cref="Hostname"/> is not a loopback address; optional otherwise (when set, it is always checked).
    /// Default none.
    /// </summary>
    public string? Token { get; set; }
}
