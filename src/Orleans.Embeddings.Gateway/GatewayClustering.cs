using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Orleans.Embeddings.Gateway;

/// <summary>Joins the cluster that <see cref="ClusterSettings"/> names, and keeps trying until it answers.</summary>
public static class GatewayClustering
{
    public static IClientBuilder UseEmbeddingsCluster(this IClientBuilder client, ClusterSettings settings)
    {
        switch (settings.Mode)
        {
            case ClusterMode.Embedded:
                client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
                break;
            case ClusterMode.Redis:
                if (string.IsNullOrWhiteSpace(settings.Redis))
                    throw new InvalidOperationException(
                        $"{ClusterSettings.Section}:Mode is Redis, but {ClusterSettings.Section}:Redis (the connection string, e.g. 'redis-host:6379') is empty.");
                client.UseRedisClustering(settings.Redis);
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = settings.ClusterId;
                    options.ServiceId = settings.ServiceId;
                });
                break;
            default:
                throw new InvalidOperationException(
                    $"{ClusterSettings.Section}:Mode is '{settings.Mode}'; it must be {ClusterMode.Embedded} or {ClusterMode.Redis}.");
        }
        client.UseConnectionRetryFilter<RetryUntilConnected>();
        return client;
    }

    /// <summary>
    /// A gateway may start before any silo (containers start in any order): it keeps trying to connect, and its
    /// health service reports NOT_SERVING meanwhile.
    /// </summary>
    private sealed class RetryUntilConnected(ILogger<RetryUntilConnected> logger) : IClientConnectionRetryFilter
    {
        private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

        private int attempts;

        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            if (++attempts % 10 == 1)
                logger.LogWarning("The cluster does not answer yet ({Error}); retrying.", exception.Message);
            await Task.Delay(Delay, cancellationToken);
            return true;
        }
    }
}
