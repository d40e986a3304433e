using Orleans.Storage;

namespace Orleans.Embeddings.Grains.Storage;

/// <summary>Options of <see cref="SqliteGrainStorage"/>: where the database lives and how state is encoded.</summary>
public sealed class SqliteGrainStorageOptions
{
    /// <summary>The database file used when neither <see cref="DatabasePath"/> nor <see cref="ConnectionString"/> is set.</summary>
    public const string DefaultDatabasePath = "orleans-embeddings.db";

    /// <summary>
    /// Path of the database file, relative to the working directory unless rooted; created with its directory if
    /// missing. Ignored when <see cref="ConnectionString"/> is set.
    /// </summary>
    public string DatabasePath { get; set; } = DefaultDatabasePath;

    /// <summary>A full Microsoft.Data.Sqlite connection string, for settings <see cref="DatabasePath"/> cannot express.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Encodes grain state into the BLOB column. Null means Orleans' binary serializer
    /// (<see cref="OrleansGrainStorageSerializer"/>), not the silo-wide default, which is JSON text: 10 or more
    /// characters a float instead of 4 or 5 bytes.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }

    /// <summary>
    /// Whether serialized state is deflated before it is stored (and kept raw when that does not make it smaller).
    /// On by default: Orleans' generated serializers write a float[] field as one tagged field per element, 5 bytes
    /// a float, and deflating removes most of the tags, taking a 1024-float embedding from 5.1 KB to about 4.3 KB.
    /// Rows record how they were written, so changing this never makes stored state unreadable.
    /// </summary>
    public bool CompressPayloads { get; set; } = true;

    /// <summary>
    /// How long an operation waits for a lock held by another connection (another process using the same file, a
    /// checkpoint) before failing. Writers of this provider never wait on each other in SQLite: they take turns.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether each write is flushed to disk before it completes (synchronous=FULL). Off by default: in WAL mode a
    /// committed write survives a crash of the process either way, and only a power loss or an operating system
    /// crash can lose the last few writes, while flushing costs a disk sync for every grain write.
    /// </summary>
    public bool FlushEveryWrite { get; set; }

    /// <summary>The silo lifecycle stage at which the database and its table are created.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}
