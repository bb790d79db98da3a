using System.Text;
using Broker.Persistence.Internal;

namespace Broker.Tests.Persistence;

public sealed class WatermarkTableSpec
{
    private static byte[] Key(string k) => Encoding.UTF8.GetBytes(k);

    [Fact]
    public void A_watermark_covers_its_key_up_to_its_offset_and_nothing_of_other_keys()
    {
        var table = new WatermarkTable();
        table.Advance(Key("a"), 10);
        table.Advance(Key("a"), 7); // a key's watermark never goes back
        Assert.True(table.Covers(Key("a"), 10));
        Assert.True(table.Covers(Key("a"), 3));
        Assert.False(table.Covers(Key("a"), 11));
        Assert.False(table.Covers(Key("b"), 1));
        Assert.False(table.Covers(null, 0));
        table.Advance(null, 4);
        Assert.True(table.Covers(null, 4));
        Assert.False(table.Covers(null, 5));
    }

    [Fact]
    public void Recovered_watermarks_cover_their_keys_records_and_a_reload_forgets_them()
    {
        var table = new WatermarkTable();
        table.Load([new Watermark(Key("a"), 5), new Watermark(Key("b"), 100), new Watermark(null, 50)]);
        Assert.True(table.Covers(Key("a"), 5));
        Assert.False(table.Covers(Key("a"), 6)); // below b's watermark, but a's records after 5 were not finished
        Assert.True(table.Covers(Key("b"), 100));
        Assert.False(table.Covers(Key("b"), 101));
        Assert.True(table.Covers(null, 50));
        Assert.False(table.Covers(Key("c"), 1));

        table.Load([new Watermark(Key("a"), 2)]);
        Assert.False(table.Covers(Key("b"), 100));
        Assert.False(table.Covers(null, 50));
        Assert.True(table.Covers(Key("a"), 2));
        Assert.False(table.Covers(Key("a"), 3));
    }

    [Fact]
    public void Only_watermarks_that_advanced_since_the_last_take_are_dirty()
    {
        var table = new WatermarkTable();
        table.Advance(Key("a"), 1);
        table.Advance(null, 2);
        Assert.Equal(2, table.TakeDirty().Length);
        Assert.False(table.HasDirty);
        table.Advance(Key("a"), 1);
        Assert.False(table.HasDirty);
        table.Advance(Key("a"), 5);
        Assert.Equal([new Watermark(Key("a"), 5).Offset], table.TakeDirty().Select(w => w.Offset));
    }

    [Fact]
    public void A_watermark_pruned_while_dirty_is_not_taken_and_one_that_advances_again_is_taken_once()
    {
        var table = new WatermarkTable();
        table.Advance(Key("a"), 5);
        table.Advance(Key("b"), 20);
        table.Prune(10); // a is below the commit: forgotten, dirty or not
        Assert.True(table.HasDirty);
        Assert.Equal([("b", 20L)], table.TakeDirty().Select(w => (Encoding.UTF8.GetString(w.Key!), w.Offset)));

        table.Advance(Key("a"), 6);
        table.Prune(10);
        Assert.False(table.HasDirty);
        table.Advance(Key("a"), 12);
        table.Advance(Key("a"), 14);
        Assert.Equal([("a", 14L)], table.TakeDirty().Select(w => (Encoding.UTF8.GetString(w.Key!), w.Offset)));
        Assert.Empty(table.TakeDirty());
    }

    [Fact]
    public void Pruning_below_the_committed_offset_keeps_the_table_bounded_under_a_flood_of_keys()
    {
        var table = new WatermarkTable();
        for (var offset = 0; offset < 1_000_000; offset++)
        {
            table.Advance(Key($"key-{offset}"), offset); // every record a new key: the worst case
            if (offset % 1_000 == 999) table.Prune(offset - 500); // commits trail the finished records
            Assert.True(table.Count <= 1_500, $"{table.Count} watermarks at offset {offset}");
            // Never taken (as in the store, which only persists): the dirty list must not keep pruned keys either.
            Assert.True(table.DirtyListed <= 1_500, $"{table.DirtyListed} listed dirty at offset {offset}");
        }
        Assert.All(table.All(), w => Assert.True(w.Offset >= 1_000_000 - 1_500));
    }

    [Fact]
    public void An_entry_a_key_keeps_advances_its_watermark_and_comes_back_after_a_prune_detached_it()
    {
        var table = new WatermarkTable();
        WatermarkTable.Entry? entry = null;
        table.Advance(ref entry, Key("a"), 5);
        var first = entry;
        table.Advance(ref entry, Key("a"), 7);
        Assert.Same(first, entry); // no new entry while it is in the table
        Assert.True(table.Covers(Key("a"), 7));
        Assert.Equal([7L], table.TakeDirty().Select(w => w.Offset));

        table.Prune(10); // below the commit: forgotten, and the key's entry no longer counts
        Assert.Equal(0, table.Count);
        Assert.False(table.Covers(Key("a"), 7));
        table.Advance(ref entry, Key("a"), 12);
        Assert.NotSame(first, entry);
        Assert.Equal(1, table.Count);
        Assert.True(table.Covers(Key("a"), 12));
        Assert.Equal([("a", 12L)], table.TakeDirty().Select(w => (Encoding.UTF8.GetString(w.Key!), w.Offset)));

        table.Load([]); // a reload detaches every entry too
        table.Advance(ref entry, Key("a"), 13);
        Assert.Equal([("a", 13L)], table.TakeDirty().Select(w => (Encoding.UTF8.GetString(w.Key!), w.Offset)));
    }

    [Fact]
    public void Loading_replaces_everything_and_leaves_nothing_dirty()
    {
        var table = new WatermarkTable();
        table.Advance(Key("old"), 3);
        table.Load([new Watermark(Key("a"), 9), new Watermark(null, 4)]);
        Assert.False(table.Covers(Key("old"), 3));
        Assert.True(table.Covers(Key("a"), 9));
        Assert.True(table.Covers(null, 4));
        Assert.Equal(2, table.Count);
        Assert.False(table.HasDirty);
    }
}
