using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// The resilience pipeline of the "clarifai" HttpClient, outermost first: retries with exponential backoff and
/// jitter (honouring Retry-After) on throttling, Clarifai's try-again codes, 5xx, 408 and timeouts; then the silo's
/// rate limit, which every attempt passes, retries included; then a timeout per attempt.
/// </summary>
public static class ClarifaiResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var settings = context.ServiceProvider.GetRequiredService<IOptions<ClarifaiOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClarifaiResilience));

        if (settings.MaxRetries > 0)
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                Delay = settings.RetryDelay,
                MaxDelay = settings.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = ShouldRetry,
                OnRetry = args =>
                {
                    logger.LogWarning("Clarifai request attempt {Attempt} failed ({Outcome}); retrying in {Delay}.",
                        args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });

        // One token at a time, refilled every 1/rate seconds: requests are spaced evenly rather than sent in bursts,
        // so no second ever sees more than the configured number. Waiting requests queue; none is rejected.
        var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / settings.RequestsPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        context.OnPipelineDisposed(limiter.Dispose);
        pipeline.AddRateLimiter(limiter);

        pipeline.AddTimeout(settings.RequestTimeout);
    }

    /// <summary>HTTP statuses that say "later": 408, 429 and every 5xx.</summary>
    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static async ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        if (HttpClientResiliencePredicates.IsTransient(args.Outcome)) return true;
        if (args.Outcome.Result is not { } response || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return false;
        // Clarifai may say "throttled", "model busy" or "model loading" in the body of an otherwise ordinary response.
        return await ClarifaiClient.PeekStatusCode(response, args.Context.CancellationToken) is { } code && ClarifaiStatusCodes.IsRetryable(code);
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? $"{e.GetType().Name}: {e.Message}" : $"HTTP {(int)outcome.Result!.StatusCode}";
}
