using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Embeddings.Grains.Providers;

public static class EmbeddingProviderRegistration
{
    /// <summary>The offline providers, each a keyed <see cref="IEmbeddingProvider"/> under its name.</summary>
    public static IServiceCollection AddEmbeddingProviders(this IServiceCollection services)
    {
        services.TryAddSingleton<IdxImages>();
        services.TryAddSingleton<VectorFiles>();
        services.TryAddSingleton(new PixelsProviderOptions());
        services.TryAddKeyedSingleton<IEmbeddingProvider, PixelsProvider>(PixelsProvider.ProviderName);
        services.TryAddKeyedSingleton<IEmbeddingProvider, VectorsProvider>(VectorsProvider.ProviderName);
        return services;
    }
}
