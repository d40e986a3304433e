using Orleans.Embeddings.Grains.Storage;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>
/// Adds the SQLite provider to a test silo. TestCluster creates configurators by type, so the database path
/// travels in the cluster's configuration rather than through a constructor.
/// </summary>
public sealed class SqliteStorageSiloConfigurator : ISiloConfigurator
{
    public const string DatabasePathKey = "SqliteGrainStorageTests:DatabasePath";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var path = siloBuilder.Configuration[DatabasePathKey]
            ?? throw new InvalidOperationException($"The test cluster has no {DatabasePathKey} property.");
        siloBuilder.AddSqliteGrainStorage(StorageTestGrain.StorageName, options => options.DatabasePath = path);
    }
}
