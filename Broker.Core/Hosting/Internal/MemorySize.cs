using System.Globalization;

namespace Broker.Hosting.Internal;

/// <summary>Parses memory limits: <c>512MB</c>, <c>2GB</c>, <c>64KB</c>, plain bytes, or <c>40%</c> of the memory available to the process.</summary>
internal static class MemorySize
{
    /// <summary>The process's memory budget as the GC sees it (container limits included), bytes.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <exception cref="FormatException">Not a size or a share.</exception>
    public static long Parse(string value)
    {
        var v = value.Trim();
        if (v.EndsWith('%'))
        {
            if (double.TryParse(v[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share > 0 && share <= 100)
                return (long)(Available * share / 100);
            throw new FormatException("not a share between 0% and 100%.");
        }
        (string Suffix, long Factor)[] units = [("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1)];
        foreach (var (suffix, factor) in units)
        {
            if (!v.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(v[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
                return (long)(n * factor);
            throw new FormatException("not a size.");
        }
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes > 0) return bytes;
        throw new FormatException("not a size.");
    }
}
