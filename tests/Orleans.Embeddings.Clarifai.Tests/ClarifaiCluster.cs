using Microsoft.Extensions.Configuration;
using Orleans.Embeddings.Clarifai.Tests.Fake;
using Orleans.Embeddings.Grains;
using Orleans.Embeddings.Grains.Images;
using Orleans.Embeddings.Grains.Providers.Clarifai;
using Orleans.Embeddings.Grains.Storage;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Orleans.Embeddings.Clarifai.Tests;

/// <summary>
/// A one-silo in-process cluster with the real grains, grain state in a SQLite file (so a cluster started again on
/// the same file finds every embedding), and the clarifai provider pointed at a <see cref="FakeClarifai"/>.
/// </summary>
public sealed class ClarifaiCluster : IAsyncDisposable
{
    /// <summary>What the silo is told about Clarifai; short delays so that retries take milliseconds, not seconds.</summary>
    public const double RequestsPerSecond = 8;

    private ClarifaiCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    public static async Task<ClarifaiCluster> Start(FakeClarifai server, string databasePath)
    {
        var builder = new TestClusterBuilder(1);
        // Grain state is keyed by service id: a cluster started again on the same file must keep it.
        builder.Options.ServiceId = "clarifai-tests";
        builder.Options.ConfigureFileLogging = false;
        builder.Properties["DatabasePath"] = databasePath;
        var section = ClarifaiOptions.Section + ":";
        builder.Properties[section + nameof(ClarifaiOptions.BaseUrl)] = server.BaseUrl;
        builder.Properties[section + nameof(ClarifaiOptions.Pat)] = FakeClarifai.Pat;
        builder.Properties[section + nameof(ClarifaiOptions.RequestsPerSecond)] = RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Long enough for all the images of one round of calls to join a batch even on a busy 2-core machine.
        builder.Properties[section + nameof(ClarifaiOptions.BatchDelay)] = "00:00:01";
        builder.Properties[section + nameof(ClarifaiOptions.RetryDelay)] = "00:00:00.050";
        builder.Properties[section + nameof(ClarifaiOptions.MaxRetryDelay)] = "00:00:00.200";
        builder.Properties[section + nameof(ClarifaiOptions.MaxRetries)] = "40";
        builder.Properties[section + nameof(ClarifaiOptions.RequestTimeout)] = "00:00:05";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ClarifaiCluster(cluster);
    }

    /// <summary>Creates a clarifai collection (or finds it) and adds the images.</summary>
    public async Task AddCollection(string name, IReadOnlyList<ImageDescription> images)
    {
        var collection = Grains.GetGrain<ICollectionGrain>(name);
        await collection.Create(new CollectionSpec(ClarifaiProvider.ProviderName, FakeVectors.Dimensions));
        foreach (var batch in images.Chunk(1000)) await collection.Add(batch);
    }

    /// <summary>Embeds every image of the collection, as a job would, and sums up the membership shards' reports.</summary>
    public async Task<EmbeddingSummary> EnsureEmbedded(string name)
    {
        var info = await Grains.GetGrain<ICollectionGrain>(name).GetInfo();
        var (count, embedded, dimensions, failures) = (0, 0, 0, new List<string>());
        for (var shard = 0; shard < info.MembershipShards; shard++)
        {
            var summary = await Grains.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(name, shard)).EnsureEmbedded();
            (count, embedded, dimensions) = (count + summary.Count, embedded + summary.Embedded, Math.Max(dimensions, summary.Dimensions));
            failures.AddRange(summary.Failures);
        }
        return new EmbeddingSummary(count, embedded, dimensions, [.. failures]);
    }

    public IImageGrain Image(string collection, string id) => Grains.GetGrain<IImageGrain>(ImageGrain.KeyOf(collection, id));

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var database = silo.Configuration["DatabasePath"] ?? throw new InvalidOperationException("DatabasePath is not configured.");
            silo.AddEmbeddingGrains();
            silo.AddSqliteGrainStorage(EmbeddingsSiloBuilderExtensions.StorageName, o => o.DatabasePath = database);
        }
    }
}
