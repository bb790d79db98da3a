using Npgsql;

namespace Broker.Tests.Support;

/// <summary>
/// A database of its own on the PostgreSQL server that test.sh makes sure is running, dropped on dispose.
/// The server is reached with <c>BROKER_TEST_POSTGRES</c> if set, else over the local socket as the current
/// OS user (the role test.sh creates).
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private static readonly string Server = Environment.GetEnvironmentVariable("BROKER_TEST_POSTGRES")
        ?? $"Host=/var/run/postgresql;Username={Environment.UserName};Database=postgres";

    private readonly string _database;

    private TestPostgres(string database, string connectionString)
    {
        _database = database;
        ConnectionString = connectionString;
    }

    /// <summary>Npgsql connection string of the new database.</summary>
    public string ConnectionString { get; }

    /// <exception cref="NpgsqlException">The server is not reachable: run the tests through test.sh.</exception>
    public static async Task<TestPostgres> CreateAsync()
    {
        var database = $"broker_test_{Guid.NewGuid():N}";
        await Execute($"create database {database}");
        var builder = new NpgsqlConnectionStringBuilder(Server) { Database = database };
        return new TestPostgres(database, builder.ConnectionString);
    }

    private static async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Execute($"drop database if exists {_database} with (force)");
    }
}
