using Microsoft.Data.Sqlite;
using Orleans.Embeddings.Grains.Storage;
using Orleans.TestingHost;

namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>A database file in a fresh temporary directory, the one-silo clusters started on it, and raw SQL on it.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "orleans-embeddings-tests", Guid.NewGuid().ToString("N"));

    public SqliteTestDatabase()
    {
        Directory.CreateDirectory(directory);
        // A subdirectory that does not exist yet: the provider must create it.
        DatabasePath = Path.Combine(directory, "data", "grains.db");
    }

    public string DatabasePath { get; }

    /// <summary>Starts a one-silo cluster; clusters that share a service id see each other's state.</summary>
    public async Task<TestCluster> StartClusterAsync(string serviceId)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[SqliteStorageSiloConfigurator.DatabasePathKey] = DatabasePath;
        builder.AddSiloBuilderConfigurator<SqliteStorageSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The stored payload's size in bytes, or null without a row.</summary>
    public long? PayloadLength(GrainId grainId) =>
        (long?)Scalar(
            $"SELECT length(payload) FROM {SqliteGrainStorage.TableName} WHERE state_name = $state AND grain_id = $grain",
            ("$state", StorageTestGrain.StateName), ("$grain", grainId.ToString()));

    /// <summary>How the stored payload is compressed ("none" or "deflate"), or null without a row.</summary>
    public string? Compression(GrainId grainId) =>
        (string?)Scalar(
            $"SELECT compression FROM {SqliteGrainStorage.TableName} WHERE state_name = $state AND grain_id = $grain",
            ("$state", StorageTestGrain.StateName), ("$grain", grainId.ToString()));

    public long RowCount() => (long)Scalar($"SELECT count(*) FROM {SqliteGrainStorage.TableName}")!;

    public string JournalMode() => (string)Scalar("PRAGMA journal_mode")!;

    public HashSet<string> StoredGrainIds()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT grain_id FROM {SqliteGrainStorage.TableName}";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover file in the temporary directory is no reason to fail a test.
        }
    }

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar();
    }

    // Unpooled, so that the test holds no file handle once a query is done.
    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
