using System.Data.Common;
using System.Runtime.CompilerServices;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Broker.Persistence.Internal;

/// <summary>
/// The linq2db options of Broker's SQLite watermark store: every connection it opens runs in write-ahead-log mode with
/// <c>synchronous = NORMAL</c>. SQLite's default (a rollback journal, <c>synchronous = FULL</c>) creates, syncs and
/// deletes a journal file and syncs the database for every transaction, which at one write per partition per
/// watermark flush (32 partitions at 100 ms: 320 writes/s) put <c>fsync</c> in 8.7% of the thread pool's CPU samples.
/// In WAL mode a commit appends to <c>broker.db-wal</c> and SQLite syncs at checkpoints (every 1,000 pages); a killed
/// process loses nothing committed, an operating-system crash or power loss may lose the last transactions (the
/// watermarks of the records finished just before it: those records run again, as without watermarks).
/// </summary>
internal static class SqliteStore
{
    /// <summary>Options for Akka.Persistence.Sql's journal and snapshot store on the SQLite database <paramref name="connectionString"/>.</summary>
    public static DataOptions Options(string connectionString) =>
        new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, connectionString)
            .UseAfterConnectionOpened(Apply, (connection, _) =>
            {
                Apply(connection); // two pragmas, once per connection: not worth an asynchronous twin
                return Task.CompletedTask;
            });

    // A pooled connection is opened again for every write: it is set up once, when SQLite opened it.
    private static readonly ConditionalWeakTable<object, object> SetUp = new();
    private static readonly object Done = new();

    // The journal mode is stored in the database file, so only the first connection to a new database changes it;
    // synchronous = NORMAL is safe only in WAL mode (with a rollback journal a power loss could corrupt the file),
    // so a database that cannot switch (an in-memory one answers "memory") keeps FULL.
    private static void Apply(DbConnection connection)
    {
        if (IsSetUp(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        if (!IsWal(command.ExecuteScalar())) return;
        command.CommandText = "PRAGMA synchronous = NORMAL";
        command.ExecuteNonQuery();
        MarkSetUp(connection);
    }

    private static bool IsSetUp(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && SetUp.TryGetValue(handle, out _);

    private static void MarkSetUp(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) SetUp.AddOrUpdate(handle, Done);
    }

    private static bool IsWal(object? journalMode) => journalMode is string mode && mode.Equals("wal", StringComparison.OrdinalIgnoreCase);
}
