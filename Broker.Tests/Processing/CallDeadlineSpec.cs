using System.Runtime.CompilerServices;
using Broker.Processing.Internal;

namespace Broker.Tests.Processing;

/// <summary>
/// A keyed consumer's call token follows its partition's stopping token; once the consumer stops (passivation),
/// the partition must not keep it alive: a partition that runs a million distinct keys would otherwise hold a
/// million of them until it moves away.
/// </summary>
public sealed class CallDeadlineSpec
{
    [Fact]
    public void A_disposed_deadline_is_not_kept_alive_by_the_partitions_stopping_token()
    {
        using var stopping = new CancellationTokenSource();
        var deadlines = BindAndStop(stopping.Token, count: 1_000);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(0, deadlines.Count(d => d.IsAlive));
        GC.KeepAlive(stopping);
    }

    [Fact]
    public void A_bound_deadline_fires_its_call_token_when_the_partition_stops()
    {
        using var stopping = new CancellationTokenSource();
        using var call = new CallDeadline();
        call.Bind(stopping.Token);
        var token = call.Token;

        stopping.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.False(call.TimedOut);
    }

    [Fact]
    public void A_call_armed_with_a_passed_deadline_times_out_and_the_next_call_gets_a_fresh_token()
    {
        using var stopping = new CancellationTokenSource();
        using var call = new CallDeadline();
        call.Bind(stopping.Token);

        call.Arm(DateTimeOffset.UtcNow.AddSeconds(-1), TimeProvider.System);
        Assert.True(call.TimedOut);

        call.Reset();
        Assert.False(call.Token.IsCancellationRequested);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> BindAndStop(CancellationToken stopping, int count)
    {
        var references = new List<WeakReference>(count);
        for (var i = 0; i < count; i++)
        {
            var call = new CallDeadline();
            call.Bind(stopping);
            call.Arm(DateTimeOffset.UtcNow.AddMinutes(5), TimeProvider.System);
            call.Reset();
            call.Dispose();
            references.Add(new WeakReference(call));
        }
        return references;
    }
}
