using System.Collections;
using System.Text;
using Confluent.Kafka;

namespace Broker.Processing;

/// <summary>
/// A record's headers, in the order they were written, duplicates included. Values are the bytes Kafka
/// stored: null values and bytes that are not UTF-8 come through as they are.
/// </summary>
public sealed class RecordHeaders : IReadOnlyList<RecordHeader>
{
    /// <summary>No headers.</summary>
    public static readonly RecordHeaders Empty = new(null);

    private readonly Headers? _headers;

    internal RecordHeaders(Headers? headers) => _headers = headers;

    /// <inheritdoc />
    public int Count => _headers?.Count ?? 0;

    /// <inheritdoc />
    public RecordHeader this[int index]
    {
        get
        {
            if (_headers is null) throw new ArgumentOutOfRangeException(nameof(index));
            var h = _headers[index];
            return new RecordHeader(h.Key, h.GetValueBytes());
        }
    }

    /// <summary>The value of the last header named <paramref name="key"/> (Kafka's convention when a key repeats).</summary>
    /// <returns>False when no header has that key; <paramref name="value"/> may be null when it does.</returns>
    public bool TryGetLast(string key, out byte[]? value)
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            var h = _headers![i];
            if (h.Key != key) continue;
            value = h.GetValueBytes();
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The last header named <paramref name="key"/> decoded as UTF-8, or null when missing or null.</summary>
    public string? GetLastString(string key) =>
        TryGetLast(key, out var value) && value is not null ? Encoding.UTF8.GetString(value) : null;

    /// <inheritdoc />
    public IEnumerator<RecordHeader> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
