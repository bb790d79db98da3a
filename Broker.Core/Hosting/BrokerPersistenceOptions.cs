namespace Broker.Hosting;

/// <summary>
/// Where Broker keeps what must survive a node (configuration section <c>Broker:Persistence</c>): the
/// per-key idempotency watermarks, through Akka.Persistence.Sql. Null keeps the default.
/// </summary>
public sealed class BrokerPersistenceOptions
{
    /// <summary>
    /// The database: <c>sqlite</c> or <c>postgresql</c>. Default: <c>postgresql</c> when
    /// <see cref="ConnectionString"/> names a <c>Host=</c>, else <c>sqlite</c>.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>
    /// ADO.NET connection string. Default <c>Data Source=broker.db</c>: a SQLite file in the working
    /// directory (nodes on one machine share it), opened in SQLite's write-ahead-log mode with
    /// <c>synchronous = NORMAL</c> (files <c>broker.db-wal</c> and <c>broker.db-shm</c> beside it; a killed process loses
    /// no write, an operating-system crash may lose the last ones). For PostgreSQL e.g.
    /// <c>Host=db;Database=broker;Username=broker;Password=...</c>. Tables are created at start.
    /// </summary>
    public string? ConnectionString { get; set; }
}
