using System.Text.Json;

namespace Broker.Inspection;

/// <summary>A node's answer to one inspection command.</summary>
/// <param name="Ok">True when the command ran; false when the node refused or it failed (see <paramref name="ErrorCode"/>).</param>
/// <param name="Command">The command that ran, e.g. <c>cluster show</c>; null when none matched.</param>
/// <param name="Result">The answer (a JSON object whose shape each command documents in <c>help</c> and the README); null for errors and streams.</param>
/// <param name="ErrorCode">
/// Why it did not run: <see cref="UsageError"/>, <see cref="Unauthorized"/>, <c>busy</c> (too many connections), <c>starting</c>
/// (the node is not up yet), <c>stopping</c> (its ActorSystem has stopped), <c>failed</c> (the command threw; see <paramref name="Error"/>), <c>timeout</c> or <c>bad-request</c>.
/// </param>
/// <param name="Error">A one-line explanation.</param>
/// <param name="Usage">For <see cref="UsageError"/>: the usage line of the command, or every command's when none matched.</param>
public sealed record InspectionReply(bool Ok, string? Command, JsonElement? Result, string? ErrorCode, string? Error, string? Usage)
{
    /// <summary>Error code: no command matches, or its arguments are missing, unknown or malformed.</summary>
    public const string UsageError = "usage";

    /// <summary>Error code: the node requires a token (<c>Broker:Inspection:Token</c>) and the request had none or a wrong one.</summary>
    public const string Unauthorized = "unauthorized";
}
