using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broker.Inspection.Internal;

/// <summary>
/// The command host's framing, shared by server and <see cref="InspectionClient"/>: the client sends one request
/// line, the server answers with response lines, each a UTF-8 JSON object ended by <c>\n</c>.
/// <code>
/// → {"args":["cluster","show"],"token":"..."}
/// ← {"ok":true,"command":"cluster show","result":{...}}                      (a query; then the server closes)
/// ← {"ok":true,"command":"cluster tail","streaming":true}, then {"event":{...}} per event
/// ← {"ok":false,"code":"usage","error":"unknown command 'x'.","usage":"..."}  (code: usage, unauthorized, busy, starting, stopping, failed, timeout, bad-request)
/// </code>
/// </summary>
internal static class InspectionWire
{
    /// <summary>camelCase names, enums as text, times as UTC to the millisecond, nulls kept (so every row of a table has every column).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new UtcMillisecondsConverter() },
    };

    /// <summary>The longest response line the client accepts, bytes.</summary>
    public const int MaxResponseBytes = 64 * 1024 * 1024;

    public sealed record Request(IReadOnlyList<string>? Args, string? Token);

    public sealed record Response
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Ok { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Command { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public object? Result { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Streaming { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public object? Event { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Code { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Usage { get; init; }

        public static Response Failure(string code, string error, string? usage = null) => new() { Ok = false, Code = code, Error = error, Usage = usage };
    }

    /// <summary>Serializes <paramref name="value"/> as one line (JSON and a trailing newline).</summary>
    public static byte[] Line(object value)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Json);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>
    /// Reads bytes up to a newline from <paramref name="stream"/> into <paramref name="buffer"/>. Returns the line without
    /// the newline, or null when the stream ended first. Bytes after the newline stay in the buffer for the next call.
    /// </summary>
    /// <exception cref="InvalidDataException">The line is longer than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]?> ReadLineAsync(Stream stream, LineBuffer buffer, int maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = buffer.IndexOfNewline();
            if (newline >= 0) return buffer.Take(newline);
            if (buffer.Count > maxBytes) throw new InvalidDataException($"a line is longer than {maxBytes} bytes.");
            var read = await stream.ReadAsync(buffer.Free(4096), cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            buffer.Commit(read);
        }
    }

    /// <summary>Times as <c>2026-11-29T22:08:54.447Z</c>: answers show when, in one width, not the clock's last digits.</summary>
    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>A growable byte buffer for <see cref="ReadLineAsync"/>.</summary>
    public sealed class LineBuffer
    {
        private byte[] _bytes = new byte[4096];
        private int _start, _end;

        public int Count => _end - _start;

        public int IndexOfNewline()
        {
            var i = Array.IndexOf(_bytes, (byte)'\n', _start, _end - _start);
            return i < 0 ? -1 : i - _start;
        }

        public byte[] Take(int length)
        {
            var line = _bytes.AsSpan(_start, length).ToArray();
            _start += length + 1;
            return line;
        }

        public Memory<byte> Free(int atLeast)
        {
            if (_start > 0)
            {
                Array.Copy(_bytes, _start, _bytes, 0, Count);
                _end -= _start;
                _start = 0;
            }
            if (_bytes.Length - _end < atLeast) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _end + atLeast));
            return _bytes.AsMemory(_end);
        }

        public void Commit(int count) => _end += count;
    }
}
