using System.Globalization;
using System.IO.Compression;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Orleans.Embeddings.Grains.Storage;

/// <summary>
/// Grain storage in one SQLite file, so that a single machine keeps grain state across restarts with no external
/// service. Each state is one row of <see cref="TableName"/>, keyed by (service id, state name, grain id), holding
/// the serialized state as a BLOB (deflated unless that does not make it smaller; the row says which) and a random
/// ETag that every write replaces: a write or clear whose ETag is not the stored one fails with
/// <see cref="InconsistentStateException"/>, as Orleans expects of a storage provider. A clear deletes the row.
/// </summary>
/// <remarks>
/// Writes take turns on one dedicated connection instead of racing for SQLite's single write lock: contending
/// writers would otherwise sleep in SQLite's busy handler and, past its timeout, fail with "database is locked".
/// Reads use pooled connections and, in WAL mode, proceed while a write commits. Microsoft.Data.Sqlite's async
/// methods complete synchronously; every statement here is a single short one, so that is acceptable on grain threads.
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The table every state of every provider sharing a database file lives in.</summary>
    public const string TableName = "grain_state";

    private const string KeyCondition = "service_id = $service AND state_name = $state AND grain_id = $grain";

    // Values of the compression column.
    private const string Uncompressed = "none";
    private const string Deflated = "deflate";

    // Below this, deflate's own overhead outweighs what it could save.
    private const int MinimumLengthToCompress = 64;

    private readonly string name;
    private readonly string serviceId;
    private readonly IGrainStorageSerializer serializer;
    private readonly ILogger logger;
    private readonly int initStage;
    private readonly bool compress;
    private readonly string connectionString;
    private readonly string dataSource;
    private readonly string connectionPragmas;

    // Guards the writer connection: SqliteConnection is not thread-safe, and one writer at a time is all SQLite allows.
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private SqliteConnection? writer;

    /// <summary>Creates the provider; the database is opened when the silo starts.</summary>
    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        Serializer orleansSerializer,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<SqliteGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConnectionString is null) ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, nameof(options.DatabasePath));
        if (options.BusyTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, $"{nameof(options.BusyTimeout)} must be positive.");

        this.name = name;
        this.logger = logger;
        serviceId = clusterOptions.Value.ServiceId;
        initStage = options.InitStage;
        compress = options.CompressPayloads;
        serializer = options.GrainStorageSerializer ?? new OrleansGrainStorageSerializer(orleansSerializer);

        var builder = options.ConnectionString is { } configured
            ? new SqliteConnectionStringBuilder(configured)
            : new SqliteConnectionStringBuilder
            {
                // Rooted now, so that a later change of working directory cannot move the database.
                DataSource = Path.GetFullPath(options.DatabasePath),
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = true,
            };
        // Microsoft.Data.Sqlite retries a busy statement for its command timeout, on top of SQLite's own busy handler.
        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        connectionString = builder.ToString();
        dataSource = builder.DataSource;

        // Both settings belong to a connection, not to the file, and a pooled connection may be a fresh one.
        connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(options.FlushEveryWrite ? "FULL" : "NORMAL")};");
    }

    /// <summary>Creates an instance for the provider registered under <paramref name="name"/>.</summary>
    internal static SqliteGrainStorage Create(IServiceProvider services, string name) =>
        ActivatorUtilities.CreateInstance<SqliteGrainStorage>(
            services, name, services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name));

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{name}", initStage, Open, Close);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        byte[] payload;
        string compression;
        string etag;
        await using (var connection = await OpenReaderAsync().ConfigureAwait(false))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT etag, compression, payload FROM {TableName} WHERE {KeyCondition}";
            AddKey(command, stateName, grainId);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }
            etag = reader.GetString(0);
            compression = reader.GetString(1);
            payload = reader.GetFieldValue<byte[]>(2);
        }

        // A null State comes back only if a null State was written.
        grainState.State = serializer.Deserialize<T>(Decode(payload, compression))!;
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialized outside the gate, which only ever covers the statement itself.
        var (payload, compression) = Encode(serializer.Serialize(grainState.State));
        var expected = grainState.ETag;
        var etag = Guid.NewGuid().ToString("N");

        // Without an ETag the caller believes there is no row, so only an insert may succeed; with one, only an
        // update of that exact version. Either way a conflict changes no row, and nothing is read first.
        var changed = await ExecuteWriteAsync(
            expected is null
                ? $"INSERT INTO {TableName} (service_id, state_name, grain_id, etag, compression, payload) VALUES ($service, $state, $grain, $etag, $compression, $payload) ON CONFLICT (service_id, state_name, grain_id) DO NOTHING"
                : $"UPDATE {TableName} SET etag = $etag, compression = $compression, payload = $payload WHERE {KeyCondition} AND etag = $expected",
            command =>
            {
                AddKey(command, stateName, grainId);
                command.Parameters.Add("$etag", SqliteType.Text).Value = etag;
                command.Parameters.Add("$compression", SqliteType.Text).Value = compression;
                command.Parameters.Add("$payload", SqliteType.Blob).Value = payload;
                if (expected is not null) command.Parameters.Add("$expected", SqliteType.Text).Value = expected;
            }).ConfigureAwait(false);
        if (changed == 0) throw await ConflictAsync(nameof(WriteStateAsync), stateName, grainId, expected).ConfigureAwait(false);

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = grainState.ETag;
        if (expected is null)
        {
            // Nothing to delete as far as the caller knows; that is only consistent if there really is no row.
            if (await ReadETagAsync(stateName, grainId).ConfigureAwait(false) is not null)
                throw await ConflictAsync(nameof(ClearStateAsync), stateName, grainId, expected).ConfigureAwait(false);
        }
        else
        {
            var changed = await ExecuteWriteAsync(
                $"DELETE FROM {TableName} WHERE {KeyCondition} AND etag = $expected",
                command =>
                {
                    AddKey(command, stateName, grainId);
                    command.Parameters.Add("$expected", SqliteType.Text).Value = expected;
                }).ConfigureAwait(false);
            if (changed == 0) throw await ConflictAsync(nameof(ClearStateAsync), stateName, grainId, expected).ConfigureAwait(false);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private async Task Open(CancellationToken cancellationToken)
    {
        // SQLite creates a missing file but not a missing directory. (":memory:" and URI names are not paths.)
        if (dataSource.Length > 0 && !dataSource.StartsWith(':') && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();

            // WAL lets reads run while a write commits, and a commit appends to the log instead of rewriting pages.
            // The mode is recorded in the file, so every later connection gets it too.
            command.CommandText = "PRAGMA journal_mode = WAL";
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                logger.LogWarning("SQLite grain storage {Name}: {Database} runs in journal mode {Mode}, not WAL", name, dataSource, mode);

            command.CommandText = connectionPragmas + $"""
                CREATE TABLE IF NOT EXISTS {TableName} (
                    service_id TEXT NOT NULL,
                    state_name TEXT NOT NULL,
                    grain_id TEXT NOT NULL,
                    etag TEXT NOT NULL,
                    compression TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    PRIMARY KEY (service_id, state_name, grain_id)
                );
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        writer = connection;
        logger.LogInformation("SQLite grain storage {Name} opened {Database}", name, dataSource);
    }

    private async Task Close(CancellationToken cancellationToken)
    {
        // Not cancellable: a write in progress finishes, and the file must be released either way.
        await writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
            writer = null;
        }
        finally
        {
            writeGate.Release();
        }

        // Idle pooled readers keep the file (and its -wal and -shm companions) open until cleared; the last
        // connection to close also checkpoints the log into the database.
        using var pooled = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private (byte[] Payload, string Compression) Encode(BinaryData serialized)
    {
        var raw = serialized.ToMemory();
        if (compress && raw.Length >= MinimumLengthToCompress)
        {
            // Not Fastest: .NET's zlib-ng codes that level with fixed Huffman tables, which cannot shorten the
            // serializer's repeated field tags, so an embedding came out no smaller than it went in.
            using var output = new MemoryStream(raw.Length);
            using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(raw.Span);
            if (output.Length < raw.Length) return (output.ToArray(), Deflated);
        }
        return (raw.ToArray(), Uncompressed);
    }

    private static BinaryData Decode(byte[] payload, string compression)
    {
        switch (compression)
        {
            case Uncompressed:
                return new BinaryData(payload);
            case Deflated:
                using (var deflate = new DeflateStream(new MemoryStream(payload), CompressionMode.Decompress))
                {
                    var output = new MemoryStream(payload.Length * 2);
                    deflate.CopyTo(output);
                    return new BinaryData(output.GetBuffer().AsMemory(0, (int)output.Length));
                }
            default:
                throw new InvalidOperationException($"A stored grain state says it is compressed with '{compression}', which this provider does not know.");
        }
    }

    private async Task<int> ExecuteWriteAsync(string sql, Action<SqliteCommand> bind)
    {
        await writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var connection = writer ?? throw new InvalidOperationException(
                $"SQLite grain storage '{name}' is not open: it opens at silo lifecycle stage {initStage} and closes at shutdown.");
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync()
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = connectionPragmas;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string?> ReadETagAsync(string stateName, GrainId grainId)
    {
        await using var connection = await OpenReaderAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT etag FROM {TableName} WHERE {KeyCondition}";
        AddKey(command, stateName, grainId);
        return (string?)await command.ExecuteScalarAsync().ConfigureAwait(false);
    }

    private async Task<InconsistentStateException> ConflictAsync(string operation, string stateName, GrainId grainId, string? expected)
    {
        // Read after the fact, for the message only: the decision was the statement's own.
        var stored = await ReadETagAsync(stateName, grainId).ConfigureAwait(false);
        return new InconsistentStateException(
            $"Version conflict ({operation}): provider {name}, service {serviceId}, state {stateName}, grain {grainId}: " +
            $"the caller's ETag is {expected ?? "none"}, the stored one {stored ?? "none (no row)"}.",
            stored ?? "",
            expected ?? "");
    }

    private void AddKey(SqliteCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.Add("$service", SqliteType.Text).Value = serviceId;
        command.Parameters.Add("$state", SqliteType.Text).Value = stateName;
        command.Parameters.Add("$grain", SqliteType.Text).Value = grainId.ToString();
    }
}
