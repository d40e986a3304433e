using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Embeddings.Grains;
using Orleans.Embeddings.Grains.Storage;
using Orleans.Hosting;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Orleans.Embeddings.Silo;

/// <summary>Membership, endpoints and grain storage of the silo, as <see cref="ClusterSettings"/> choose them.</summary>
public static class SiloClustering
{
    /// <summary>File name of the SQLite database in the data directory (embedded mode).</summary>
    public const string DatabaseFileName = "embeddings.db";

    public static ISiloBuilder UseEmbeddingsCluster(this ISiloBuilder silo, ClusterSettings settings, string dataDirectory)
    {
        switch (settings.Mode)
        {
            case ClusterMode.Embedded:
                UseEmbedded(silo, settings, dataDirectory);
                break;
            case ClusterMode.Redis:
                UseRedis(silo, settings);
                break;
            default:
                throw new InvalidOperationException(
                    $"{ClusterSettings.Section}:Mode is '{settings.Mode}'; it must be {ClusterMode.Embedded} or {ClusterMode.Redis}.");
        }

        return silo;
    }

    private static void UseEmbedded(ISiloBuilder silo, ClusterSettings settings, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(settings.AdvertisedIP))
        {
            // Localhost clustering only ever advertises the loopback address; a silo on another machine could never
            // join, so an advertised address here is a configuration mistake worth stopping for.
            throw new InvalidOperationException(
                $"{ClusterSettings.Section}:AdvertisedIP is set, but Mode is {ClusterMode.Embedded}, which runs one silo on this machine. " +
                $"Use Mode {ClusterMode.Redis} for a cluster of several machines.");
        }

        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        Directory.CreateDirectory(dataDirectory);
        var databasePath = Path.Combine(dataDirectory, DatabaseFileName);
        silo.AddSqliteGrainStorage(EmbeddingsSiloBuilderExtensions.StorageName, options =>
        {
            options.DatabasePath = databasePath;
            // The grains store their float arrays as byte blocks already; deflating them would only cost time.
            options.CompressPayloads = false;
        });
    }

    private static void UseRedis(ISiloBuilder silo, ClusterSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Redis))
        {
            throw new InvalidOperationException(
                $"{ClusterSettings.Section}:Mode is {ClusterMode.Redis}, but {ClusterSettings.Section}:Redis (the connection string, e.g. 'redis-host:6379') is empty.");
        }

        var connectionString = settings.Redis;
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = settings.ClusterId;
            options.ServiceId = settings.ServiceId;
        });
        ConfigureEndpoints(silo, settings);
        silo.UseRedisClustering(connectionString);
        silo.AddRedisGrainStorage(EmbeddingsSiloBuilderExtensions.StorageName, (OptionsBuilder<RedisStorageOptions> options) =>
            options.Configure<Serializer>((redis, serializer) =>
            {
                redis.ConfigurationOptions = ConfigurationOptions.Parse(connectionString);
                // Orleans' binary format rather than the provider's default JSON: embeddings, maps and optimiser
                // checkpoints are large float arrays, several times bigger and slower to round-trip as JSON text.
                redis.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, ClusterSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.AdvertisedIP))
        {
            silo.Configure<EndpointOptions>(options =>
            {
                options.SiloPort = settings.SiloPort;
                options.GatewayPort = settings.GatewayPort;
            });
            return;
        }

        if (!IPAddress.TryParse(settings.AdvertisedIP, out var advertised))
        {
            throw new InvalidOperationException(
                $"{ClusterSettings.Section}:AdvertisedIP is '{settings.AdvertisedIP}', which is not an IP address.");
        }

        // Listen on every interface: the advertised address may belong to a NAT or container bridge in front of us.
        silo.ConfigureEndpoints(advertised, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
    }
}
