using Orleans.Storage;
using Orleans.TestingHost;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>One running one-silo cluster with SQLite storage, shared by the tests that need no restart.</summary>
public sealed class SqliteClusterFixture : IAsyncLifetime
{
    public SqliteTestDatabase Database { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The provider the silo built, for calling it directly.</summary>
    public IGrainStorage Storage => Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(StorageTestGrain.StorageName);

    public async Task InitializeAsync() => Cluster = await Database.StartClusterAsync($"sqlite-tests-{Guid.NewGuid():N}");

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
        Database.Dispose();
    }
}
