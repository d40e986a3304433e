using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>An Orleans client of a Redis-membership cluster, the way a standalone gateway joins one.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost host;

    private ClusterConnection(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects, retrying while the silos are still starting.</summary>
    public static Task<ClusterConnection> Connect(RedisServer redis, string clusterId, TimeSpan timeout) =>
        Connect(redis.ConnectionString, clusterId, timeout);

    /// <summary>Connects to a cluster whose membership is in the Redis at <paramref name="redisConnectionString"/>; the service id is the cluster id.</summary>
    public static async Task<ClusterConnection> Connect(string redisConnectionString, string clusterId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var host = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
                .UseOrleansClient(client =>
                {
                    client.UseRedisClustering(redisConnectionString);
                    client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
                })
                .Build();
            try
            {
                await host.StartAsync();
                return new ClusterConnection(host);
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                host.Dispose();
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Waits until the cluster reports this many active silos.</summary>
    public async Task WaitForSilos(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hosts = await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            if (hosts.Count >= count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{hosts.Count} of {count} silos joined in {timeout}.");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
