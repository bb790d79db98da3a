using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Broker.Telemetry.Internal;

/// <summary>
/// W3C Trace Context (https://www.w3.org/TR/trace-context/) in Kafka record headers: <c>traceparent</c>
/// (<c>00-{trace-id}-{parent-id}-{flags}</c>, lower-case hex) and <c>tracestate</c>, as UTF-8 bytes, the
/// headers every OpenTelemetry Kafka instrumentation reads and writes.
/// </summary>
internal static class TraceContextHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>What a record's headers say about its parent span.</summary>
    public enum Parent { None, Valid, Malformed }

    /// <summary>
    /// Reads the last <c>traceparent</c> (and <c>tracestate</c>) header of <paramref name="headers"/>.
    /// <paramref name="malformed"/> is the header decoded as UTF-8 when it does not parse.
    /// </summary>
    public static Parent Extract(Headers? headers, out ActivityContext context, out string? malformed)
    {
        context = default;
        malformed = null;
        if (headers is not { Count: > 0 } || !headers.TryGetLastBytes(TraceParent, out var parentBytes)) return Parent.None;
        var traceParent = parentBytes is null ? "" : Encoding.UTF8.GetString(parentBytes);
        string? traceState = null;
        if (headers.TryGetLastBytes(TraceState, out var stateBytes) && stateBytes is { Length: > 0 })
            traceState = Encoding.UTF8.GetString(stateBytes);
        if (ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context)) return Parent.Valid;
        malformed = traceParent;
        return Parent.Malformed;
    }

    /// <summary>Appends <paramref name="context"/> to <paramref name="headers"/> under <paramref name="parentKey"/> and <paramref name="stateKey"/>.</summary>
    public static void Inject(ActivityContext context, Headers headers, string parentKey = TraceParent, string stateKey = TraceState)
    {
        headers.Add(parentKey, Encoding.UTF8.GetBytes(Format(context)));
        if (!string.IsNullOrEmpty(context.TraceState)) headers.Add(stateKey, Encoding.UTF8.GetBytes(context.TraceState));
    }

    /// <summary>The <c>traceparent</c> value of <paramref name="context"/> (version 00).</summary>
    public static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}";
}
