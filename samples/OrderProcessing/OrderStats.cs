namespace OrderProcessing;

/// <summary>
/// What the sample handler saw, and its per-customer order check. The check keeps the last sequence
/// number of up to 65,536 customers (slots by hash; a customer whose slot was taken by another is simply
/// not checked on that order), so its memory is fixed whatever the number of customers. Thread-safe.
/// </summary>
public sealed class OrderStats
{
    private const int Slots = 1 << 16;
    private readonly string?[] _customers = new string?[Slots];
    private readonly long[] _sequences = new long[Slots];
    private readonly object[] _locks = Enumerable.Range(0, 256).Select(_ => new object()).ToArray();
    private long _handled;
    private long _outOfOrder;
    private long _amountCents;

    /// <summary>Orders handled.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Orders that arrived with a sequence number at or below the customer's previous one: a per-key order violation.</summary>
    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    /// <summary>Sum of handled order amounts, in cents.</summary>
    public long AmountCents => Interlocked.Read(ref _amountCents);

    /// <summary>Records <paramref name="order"/>; returns false when it broke its customer's order.</summary>
    public bool Record(Order order)
    {
        Interlocked.Increment(ref _handled);
        Interlocked.Add(ref _amountCents, (long)(order.Amount * 100));
        if (order.Sequence <= 0) return true;
        var slot = (int)((uint)StringComparer.Ordinal.GetHashCode(order.CustomerId) % Slots);
        lock (_locks[slot % _locks.Length])
        {
            var inOrder = _customers[slot] != order.CustomerId || order.Sequence > _sequences[slot];
            _customers[slot] = order.CustomerId;
            _sequences[slot] = order.Sequence;
            if (inOrder) return true;
        }
        Interlocked.Increment(ref _outOfOrder);
        return false;
    }
}
