using System.IO.Hashing;

namespace Broker.Processing.Internal;

/// <summary>Compares record keys by content (XxHash3 for the hash), so keys need no string conversion on the hot path.</summary>
internal sealed class KeyBytesComparer : IEqualityComparer<byte[]>
{
    public static readonly KeyBytesComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] key) => (int)XxHash3.HashToUInt64(key);
}
