using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Embeddings.Grains.Providers.Clarifai;

namespace Orleans.Embeddings.Grains.Providers;

public static class EmbeddingProviderRegistration
{
    /// <summary>The offline providers, each a keyed <see cref="IEmbeddingProvider"/> under its name.</summary>
    /// <remarks>Also the clarifai provider, which contacts nothing until an image of a clarifai collection is embedded.</remarks>
    public static IServiceCollection AddEmbeddingProviders(this IServiceCollection services)
    {
        services.TryAddSingleton<IdxImages>();
        services.TryAddSingleton<VectorFiles>();
        services.TryAddSingleton(new PixelsProviderOptions());
        services.TryAddKeyedSingleton<IEmbeddingProvider, PixelsProvider>(PixelsProvider.ProviderName);
        services.TryAddKeyedSingleton<IEmbeddingProvider, VectorsProvider>(VectorsProvider.ProviderName);
        services.AddClarifaiProvider();
        return services;
    }
}
