using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

public static class ClarifaiRegistration
{
    /// <summary>
    /// The clarifai provider, its per-silo batcher and its HttpClient with retries and the rate limit; options bound
    /// from <see cref="ClarifaiOptions.Section"/>, the token falling back to <see cref="ClarifaiOptions.PatVariable"/>.
    /// Nothing is contacted or validated until the first image asks for an embedding.
    /// </summary>
    public static IServiceCollection AddClarifaiProvider(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ClarifaiBatcher))) return services;

        services.AddOptions<ClarifaiOptions>()
            .BindConfiguration(ClarifaiOptions.Section)
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.Pat)) o.Pat = Environment.GetEnvironmentVariable(ClarifaiOptions.PatVariable) ?? "";
            })
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out _), $"{ClarifaiOptions.Section}:BaseUrl must be an absolute address.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.UserId) && !string.IsNullOrWhiteSpace(o.AppId) && !string.IsNullOrWhiteSpace(o.ModelId),
                $"{ClarifaiOptions.Section}: UserId, AppId and ModelId must be set.")
            .Validate(o => o.MaxBatchSize is >= 1 and <= ClarifaiOptions.MaxInputsPerRequest,
                $"{ClarifaiOptions.Section}:MaxBatchSize must be between 1 and {ClarifaiOptions.MaxInputsPerRequest}, Clarifai's limit per request.")
            .Validate(o => o.Dimensions >= 0 && o.MaxBatchBytes > 0 && o.MaxConcurrentRequests >= 1 && o.MaxRetries >= 0,
                $"{ClarifaiOptions.Section}: Dimensions and MaxRetries must not be negative, MaxBatchBytes and MaxConcurrentRequests must be positive.")
            .Validate(o => o.RequestsPerSecond is > 0 and <= 10_000, $"{ClarifaiOptions.Section}:RequestsPerSecond must be positive.")
            .Validate(o => o.BatchDelay >= TimeSpan.Zero && o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay && o.RequestTimeout > TimeSpan.Zero,
                $"{ClarifaiOptions.Section}: BatchDelay must not be negative; RetryDelay, MaxRetryDelay (at least RetryDelay) and RequestTimeout must be positive.");

        services.AddHttpClient(ClarifaiClient.HttpClientName, (provider, http) =>
            {
                var settings = provider.GetRequiredService<IOptions<ClarifaiOptions>>().Value;
                http.BaseAddress = new Uri(settings.BaseUrl.EndsWith('/') ? settings.BaseUrl : settings.BaseUrl + "/");
                // Each attempt has its own timeout in the resilience pipeline; the client's would cut the retries short.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RedactLoggedHeaders(["Authorization"])
            .AddResilienceHandler("clarifai", ClarifaiResilience.Configure);

        services.TryAddSingleton<IdxImages>();
        services.TryAddSingleton<ClarifaiClient>();
        services.TryAddSingleton<ClarifaiBatcher>();
        services.TryAddKeyedSingleton<IEmbeddingProvider, ClarifaiProvider>(ClarifaiProvider.ProviderName);
        return services;
    }
}
