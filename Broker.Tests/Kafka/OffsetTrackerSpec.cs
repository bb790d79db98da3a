using Broker.Kafka.Internal;

namespace Broker.Tests.Kafka;

public sealed class OffsetTrackerSpec
{
    [Fact]
    public void Nothing_is_committable_before_the_first_offset()
    {
        var tracker = new OffsetTracker();
        Assert.Null(tracker.Committable);
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Commits_the_lowest_unfinished_offset_when_records_finish_out_of_order()
    {
        var tracker = new OffsetTracker();
        for (long o = 10; o < 15; o++) tracker.Add(o);
        Assert.Equal(10, tracker.Committable);

        tracker.Complete(12);
        tracker.Complete(14);
        Assert.Equal(10, tracker.Committable); // 10 still running
        tracker.Complete(10);
        Assert.Equal(11, tracker.Committable);
        tracker.Complete(11);
        Assert.Equal(13, tracker.Committable); // 12 was done already
        tracker.Complete(13);
        Assert.Equal(15, tracker.Committable); // all done: last + 1
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Commits_past_gaps_because_it_works_only_from_offsets_it_was_given()
    {
        // Compaction, transaction markers and aborted records leave holes: 5, 7, 8, 20.
        var tracker = new OffsetTracker();
        foreach (var o in new long[] { 5, 7, 8, 20 }) tracker.Add(o);
        tracker.Complete(5);
        Assert.Equal(7, tracker.Committable);
        tracker.Complete(8);
        tracker.Complete(7);
        Assert.Equal(20, tracker.Committable); // never waits for 9..19, which do not exist
        tracker.Complete(20);
        Assert.Equal(21, tracker.Committable);
    }

    [Fact]
    public void Ignores_late_duplicate_and_unknown_acks()
    {
        var tracker = new OffsetTracker();
        tracker.Add(1);
        tracker.Add(2);
        Assert.True(tracker.Complete(1));
        Assert.False(tracker.Complete(1)); // duplicate
        Assert.False(tracker.Complete(3)); // never given
        Assert.False(tracker.Complete(0)); // below anything given
        Assert.Equal(2, tracker.Committable);
        Assert.Equal(1, tracker.InFlight);
    }

    [Fact]
    public void After_a_revoke_acks_of_the_old_assignment_change_nothing()
    {
        var tracker = new OffsetTracker();
        tracker.Add(100);
        tracker.Add(101);
        tracker.Reset(); // the partition was revoked and assigned again
        Assert.Null(tracker.Committable);
        Assert.False(tracker.Complete(100)); // a late ack from before the revoke

        tracker.Add(100); // re-fetched from the last commit
        Assert.Equal(100, tracker.Committable);
        Assert.Equal(1, tracker.InFlight);
    }

    [Fact]
    public void Refuses_offsets_at_or_below_the_last_one_given()
    {
        var tracker = new OffsetTracker();
        Assert.True(tracker.Add(7));
        Assert.False(tracker.Add(7));
        Assert.False(tracker.Add(3));
        Assert.Equal(1, tracker.InFlight);
    }

    [Fact]
    public void Memory_follows_the_unfinished_records_not_how_far_one_slow_record_holds_the_commit_back()
    {
        // One record at offset 0 never finishes while a million after it do (a slow key).
        var tracker = new OffsetTracker(initialCapacity: 1024);
        tracker.Add(0);
        for (long o = 1; o <= 1_000_000; o++)
        {
            tracker.Add(o);
            tracker.Complete(o);
        }
        Assert.Equal(0, tracker.Committable);
        Assert.Equal(1, tracker.InFlight);
        Assert.Equal(1024, tracker.Capacity); // compacted in place, never grown
        tracker.Complete(0);
        Assert.Equal(1_000_001, tracker.Committable);
    }

    [Fact]
    public void Grows_only_when_more_than_half_its_slots_are_unfinished()
    {
        var tracker = new OffsetTracker(initialCapacity: 8);
        for (long o = 0; o < 100; o++) tracker.Add(o);
        Assert.Equal(100, tracker.InFlight);
        Assert.True(tracker.Capacity >= 100);
        for (long o = 99; o >= 0; o--) tracker.Complete(o); // finish in reverse order
        Assert.Equal(100, tracker.Committable);
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Random_completion_order_always_commits_exactly_the_finished_prefix()
    {
        var random = new Random(42);
        var tracker = new OffsetTracker(initialCapacity: 16);
        var given = new List<long>();
        long next = 0;
        for (var i = 0; i < 2_000; i++)
        {
            next += random.Next(1, 4); // gaps of 0..2
            tracker.Add(next);
            given.Add(next);
        }
        var done = new HashSet<long>();
        foreach (var o in given.OrderBy(_ => random.Next()))
        {
            tracker.Complete(o);
            done.Add(o);
            var expected = given.FirstOrDefault(g => !done.Contains(g), next + 1);
            Assert.Equal(expected, tracker.Committable);
        }
    }
}
