using Microsoft.Extensions.DependencyInjection;
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
    /// The partition placement, the silo's map replicas and the offline embedding providers (pixels, vectors). Grain storage named
    /// <see cref="StorageName"/> must be added separately: SQLite on one machine, Redis for clusters.
    /// </summary>
    public static ISiloBuilder AddEmbeddingGrains(this ISiloBuilder silo)
    {
        silo.Services.AddPlacementDirector<PartitionPlacementStrategy, PartitionPlacementDirector>();
        silo.Services.AddSingleton<MapReplicas>();
        silo.Services.AddEmbeddingProviders();
        silo.Services.AddOptions<NeighborIndexOptions>().Bind(silo.Configuration.GetSection(NeighborIndexOptions.Section));
        return silo;
    }
}
