using Orleans.Embeddings.Deployment.Tests.Support;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Deployment.Tests;

/// <summary>docker-compose.yml against the application's configuration and the image the Dockerfile builds.</summary>
public sealed class ComposeTests
{
    private const int RedisDefaultPort = 6379;

    private readonly ComposeFile compose = ComposeFile.Load();
    private readonly Dockerfile dockerfile = Dockerfile.Load();

    [Fact]
    public void Redis_keeps_its_data_in_an_append_only_file_on_a_named_volume()
    {
        var redis = compose.Service("redis");
        var command = redis.Command;
        Assert.Equal("redis-server", command[0]);
        Assert.Equal("yes", command[command.ToList().IndexOf("--appendonly") + 1]);
        // An evicted key would be a lost embedding.
        Assert.Equal("noeviction", command[command.ToList().IndexOf("--maxmemory-policy") + 1]);
        var volume = Assert.Single(redis.Node.Get("volumes").Texts());
        Assert.EndsWith(":/data", volume, StringComparison.Ordinal);
        Assert.Contains(volume.Split(':')[0], compose.Root.Get("volumes").Entries().Select(e => e.Key));
        Assert.Contains("redis-cli", redis.Node.Get("healthcheck").Get("test").Texts());
    }

    [Fact]
    public void Silos_are_one_scalable_service_of_the_image_configured_for_Redis_clustering()
    {
        var silo = compose.Service("silo");
        Assert.Equal(["silo"], silo.Command);
        Assert.True(silo.Node.RequireInt("deploy.replicas") >= 3);
        // Replicas share one definition: a fixed host port would let only one of them start.
        Assert.All(silo.Ports, p => Assert.Equal("", p.HostPort));
        Assert.All(silo.Ports, p => Assert.Equal("127.0.0.1", p.HostIp));
        Assert.Null(silo.Node.Get("container_name"));

        var environment = Effective(silo);
        var configuration = ApplicationSettings.Check(HostProgram.Silo, environment);
        var cluster = ApplicationSettings.Cluster(configuration);
        Assert.Equal(ClusterMode.Redis, cluster.Mode);
        AssertNamesTheRedisService(cluster.Redis);
        var defaults = new ClusterSettings();
        Assert.Equal((defaults.SiloPort, defaults.GatewayPort), (cluster.SiloPort, cluster.GatewayPort));
        // Left empty for the entrypoint, which gives each replica its own container address.
        Assert.True(string.IsNullOrEmpty(cluster.AdvertisedIP));
        Assert.Equal(HttpEndpoints.WebPort, Assert.Single(silo.Ports).ContainerPort);
        Assert.Equal(HttpEndpoints.WebPort, ApplicationSettings.EndpointPort(configuration, "Web"));
        AssertGracefulStop(silo, environment);
    }

    [Fact]
    public void The_standalone_gateway_joins_the_silos_cluster_and_publishes_gRPC_and_HTTP()
    {
        var gateway = compose.Service("gateway");
        Assert.Equal(["gateway"], gateway.Command);
        var environment = Effective(gateway);
        var configuration = ApplicationSettings.Check(HostProgram.Gateway, environment);
        var cluster = ApplicationSettings.Cluster(configuration);
        var silos = ApplicationSettings.Cluster(ApplicationSettings.Check(HostProgram.Silo, Effective(compose.Service("silo"))));
        Assert.Equal(ClusterMode.Redis, cluster.Mode);
        Assert.Equal((silos.Redis, silos.ClusterId, silos.ServiceId), (cluster.Redis, cluster.ClusterId, cluster.ServiceId));

        var grpc = ApplicationSettings.EndpointPort(configuration, "Grpc");
        var web = ApplicationSettings.EndpointPort(configuration, "Web");
        Assert.Equal((HttpEndpoints.WebPort, HttpEndpoints.GrpcPort), (web, grpc));
        var published = gateway.Ports.ToDictionary(p => p.ContainerPort, p => p.HostPort);
        Assert.Equal([web, grpc], published.Keys.Order());
        // The CLI's default address is localhost:5001, so the gateway's gRPC port is published as that.
        Assert.Equal(new Uri(Orleans.Embeddings.Cli.GlobalOptions.DefaultAddress).Port.ToString(), published[grpc]);
        Assert.Equal("service_healthy", gateway.Node.RequireText("depends_on.redis.condition"));
        AssertGracefulStop(gateway, environment);
    }

    [Fact]
    public void The_application_services_run_the_image_the_Dockerfile_builds_with_its_health_check()
    {
        var title = dockerfile.Final.Labels["org.opencontainers.image.title"];
        foreach (var name in new[] { "silo", "gateway" })
        {
            var service = compose.Service(name);
            Assert.Equal(title, service.Image!.Split(':')[0]);
            Assert.Equal(".", service.Node.RequireText("build.context"));
            Assert.Equal(Dockerfile.RelativePath, service.Node.RequireText("build.dockerfile"));
            // The image's HEALTHCHECK (the gRPC health service) applies: no service replaces or disables it.
            Assert.Null(service.Node.Get("healthcheck"));
        }
        Assert.Equal(["gateway", "redis", "silo"], compose.ServiceNames.Order(StringComparer.Ordinal));
    }

    /// <summary>A container's environment: the image's ENV, then the service's.</summary>
    private Dictionary<string, string> Effective(ComposeService service)
    {
        var environment = new Dictionary<string, string>(dockerfile.Final.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in service.Environment) environment[key] = value;
        return environment;
    }

    /// <summary>The connection string names the Redis service of this file, on the port its server listens on.</summary>
    private void AssertNamesTheRedisService(string? connection)
    {
        Assert.NotNull(connection);
        var (host, port) = (connection.Split(':')[0], ApplicationSettings.Int(connection.Split(':')[1]));
        Assert.Contains(host, compose.ServiceNames);
        var command = compose.Service(host).Command;
        Assert.Equal("redis-server", command[0]);
        var index = command.ToList().IndexOf("--port");
        Assert.Equal(index < 0 ? RedisDefaultPort : ApplicationSettings.Int(command[index + 1]), port);
    }

    /// <summary>Docker waits longer than the host's own shutdown timeout before it kills, so Orleans can hand its grains over.</summary>
    private static void AssertGracefulStop(ComposeService service, IReadOnlyDictionary<string, string> environment)
    {
        var grace = service.Node.RequireText("stop_grace_period");
        Assert.EndsWith("s", grace, StringComparison.Ordinal);
        var shutdown = ApplicationSettings.Int(environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"]);
        Assert.True(ApplicationSettings.Int(grace[..^1]) > shutdown, $"{service.Name}: stop_grace_period {grace} is not longer than the host's {shutdown} s");
    }
}
