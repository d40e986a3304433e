using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Embeddings.Grains.Neighbors;
using Orleans.Embeddings.Grains.Partitions;
using Orleans.Embeddings.Grains.Providers;
using Orleans.Hosting;

namespace Orleans.Embeddings.Grains;

/// <summary>Registers what the grains of this assembly need on a silo.</summary>
public static class EmbeddingsSiloBuilderExtensions
{
    /// <summary>Storage provider name every grain of this assembly persists its state with.</summary>
    public const string StorageName = "embeddings";

    /// <summary>
    /// Grain addresses a silo remembers. A collection of millions of images calls each image grain now and then,
    /// and Orleans' default of a million addresses per silo is a cache the dashboard's metrics count every second:
    /// a fifth of a silo's time after a million images were ingested. The grains called again and again (jobs,
    /// partitions, collections, indexes) are few; an image grain is found through the directory when it is needed.
    /// </summary>
    public const int DirectoryCacheSize = 20_000;

    /// <summary>
    /// The partition placement, the silo's map replicas and the offline embedding providers (pixels, vectors). Grain storage named
    /// <see cref="StorageName"/> must be added separately: SQLite on one machine, Redis for clusters.
    /// </summary>
    public static ISiloBuilder AddEmbeddingGrains(this ISiloBuilder silo)
    {
        silo.Services.AddPlacementDirector<PartitionPlacementStrategy, PartitionPlacementDirector>();
        silo.Services.AddSingleton<MapReplicas>();
        silo.Services.Configure<GrainDirectoryOptions>(options => options.CacheSize = DirectoryCacheSize);
        silo.Services.AddEmbeddingProviders();
        silo.Services.AddOptions<NeighborIndexOptions>()
            .Bind(silo.Configuration.GetSection(NeighborIndexOptions.Section))
            .ValidateSettings(NeighborIndexOptions.Section, options => options.Problems());
        return silo;
    }
}
