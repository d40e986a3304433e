using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Deployment.Tests.Support;
using Orleans.Embeddings.Gateway;
using Orleans.Embeddings.Silo;
using YamlDotNet.RepresentationModel;

namespace Orleans.Embeddings.Deployment.Tests;

/// <summary>The manifests of k8s/ against the application's configuration, the image and each other.</summary>
public sealed class KubernetesTests
{
    private readonly KubernetesManifests k8s = KubernetesManifests.Load();
    private readonly Dockerfile dockerfile = Dockerfile.Load();

    [Fact]
    public void The_kustomization_lists_every_manifest_puts_them_in_its_namespace_and_names_the_image()
    {
        Assert.Equal(KubernetesManifests.ManifestFiles, k8s.Kustomization.Get("resources").Texts().Order(StringComparer.Ordinal));
        Assert.All(k8s.All, m => Assert.False(string.IsNullOrEmpty(m.Node.Get("apiVersion").Text()), $"{m.File}: no apiVersion"));
        Assert.Equal(k8s.All.Count, k8s.All.Select(m => (m.Kind, m.Name)).Distinct().Count());

        var ns = k8s.Kustomization.RequireText("namespace");
        Assert.Equal(ns, Assert.Single(k8s.OfKind("Namespace")).Name);
        Assert.All(k8s.All, m => Assert.True(m.Namespace is null || m.Namespace == ns, $"{m.File} names namespace {m.Namespace}"));

        var image = dockerfile.Final.Labels["org.opencontainers.image.title"];
        Assert.Equal(image, Assert.Single(k8s.Kustomization.Get("images").Items()).RequireText("name"));
        foreach (var name in new[] { "silo", "gateway" })
        {
            var container = k8s.Single("Deployment", name).Container;
            Assert.Equal(image, container.RequireText("image").Split(':')[0]);
            Assert.Equal(name, container.Get("args").Texts()[0]);
        }
    }

    [Fact]
    public void Silos_advertise_their_pod_IP_from_the_downward_API_and_bind_the_cluster_settings()
    {
        var silo = k8s.Single("Deployment", "silo");
        var env = silo.Container.Get("env").Items();
        Assert.Equal("metadata.name", FieldRef(env, "POD_NAME"));
        Assert.Equal("status.podIP", FieldRef(env, "POD_IP"));

        var configuration = ApplicationSettings.Check(HostProgram.Silo, Effective(silo));
        var cluster = ApplicationSettings.Cluster(configuration);
        Assert.Equal(KubernetesManifests.SamplePodFields["status.podIP"], cluster.AdvertisedIP);
        Assert.True(IPAddress.TryParse(cluster.AdvertisedIP, out _));
        Assert.Equal(ClusterMode.Redis, cluster.Mode);
        var defaults = new ClusterSettings();
        Assert.Equal((defaults.SiloPort, defaults.GatewayPort), (cluster.SiloPort, cluster.GatewayPort));
        Assert.Equal(cluster.ClusterId, silo.PodLabels["orleans/clusterId"]);
        Assert.Equal(cluster.ServiceId, silo.PodLabels["orleans/serviceId"]);
        Assert.False(configuration.GetValue<bool>("Embeddings:Demo:Enabled"));
    }

    [Fact]
    public void Silo_ports_and_probes_are_the_hosts_ports_and_its_gRPC_health_service()
    {
        var silo = k8s.Single("Deployment", "silo");
        var configuration = ApplicationSettings.Check(HostProgram.Silo, Effective(silo));
        var cluster = ApplicationSettings.Cluster(configuration);
        var ports = silo.ContainerPorts;
        Assert.Equal(cluster.SiloPort, ports["silo"]);
        Assert.Equal(cluster.GatewayPort, ports["orleans-gateway"]);
        Assert.Equal(ApplicationSettings.EndpointPort(configuration, "Web"), ports["http"]);
        Assert.Equal(ApplicationSettings.EndpointPort(configuration, "Grpc"), ports["grpc"]);
        Assert.Equal(HttpEndpoints.GrpcPort, ports["grpc"]);
        AssertGrpcHealthProbes(silo, ports["grpc"]);
    }

    [Fact]
    public void Silos_shut_down_gracefully_one_at_a_time_and_have_no_cpu_limit()
    {
        var silo = k8s.Single("Deployment", "silo");
        var environment = Effective(silo);
        var shutdown = HostShutdownTimeout(environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"]);
        Assert.Equal(TimeSpan.FromSeconds(ApplicationSettings.Int(environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"])), shutdown);
        Assert.True(silo.Node.RequireInt("spec.template.spec.terminationGracePeriodSeconds") > shutdown.TotalSeconds);

        var resources = silo.Container.Require("resources");
        Assert.Null(resources.Get("limits").Get("cpu"));
        Assert.NotNull(resources.Get("requests").Get("cpu"));
        Assert.Equal("0", silo.Node.RequireText("spec.strategy.rollingUpdate.maxUnavailable"));

        var budget = k8s.Single("PodDisruptionBudget", "silo");
        Assert.Equal("1", budget.Node.RequireText("spec.maxUnavailable"));
        AssertSelects(budget.Node.Require("spec.selector.matchLabels").Strings(), silo);
        AssertSelects(silo.Node.Require("spec.selector.matchLabels").Strings(), silo);
    }

    [Fact]
    public void Gateways_join_the_silos_cluster_and_their_service_reaches_gRPC_and_HTTP()
    {
        var gateway = k8s.Single("Deployment", "gateway");
        var configuration = ApplicationSettings.Check(HostProgram.Gateway, Effective(gateway));
        var cluster = ApplicationSettings.Cluster(configuration);
        var silos = ApplicationSettings.Cluster(ApplicationSettings.Check(HostProgram.Silo, Effective(k8s.Single("Deployment", "silo"))));
        Assert.Equal(ClusterMode.Redis, cluster.Mode);
        Assert.Equal((silos.Redis, silos.ClusterId, silos.ServiceId), (cluster.Redis, cluster.ClusterId, cluster.ServiceId));

        var ports = gateway.ContainerPorts;
        Assert.Equal(ApplicationSettings.EndpointPort(configuration, "Grpc"), ports["grpc"]);
        Assert.Equal(ApplicationSettings.EndpointPort(configuration, "Web"), ports["http"]);
        AssertGrpcHealthProbes(gateway, ports["grpc"]);
        Assert.True(gateway.Node.RequireInt("spec.template.spec.terminationGracePeriodSeconds") > HostShutdownTimeout(Effective(gateway)["DOTNET_SHUTDOWNTIMEOUTSECONDS"]).TotalSeconds);

        var service = k8s.Single("Service", "gateway");
        AssertSelects(service.Node.Require("spec.selector").Strings(), gateway);
        var servicePorts = service.Node.Require("spec.ports").Items().ToDictionary(p => p.RequireText("name"), p => p);
        Assert.Equal(ports["grpc"], ports[servicePorts["grpc"].RequireText("targetPort")]);
        Assert.Equal(ports["http"], ports[servicePorts["http"].RequireText("targetPort")]);
        Assert.Equal(HttpEndpoints.GrpcPort, servicePorts["grpc"].RequireInt("port"));
        Assert.Equal("kubernetes.io/h2c", servicePorts["grpc"].RequireText("appProtocol"));
        AssertSelects(k8s.Single("PodDisruptionBudget", "gateway").Node.Require("spec.selector.matchLabels").Strings(), gateway);
    }

    [Fact]
    public void Redis_is_a_persistent_stateful_set_behind_the_service_the_cluster_settings_name()
    {
        var settings = ApplicationSettings.Cluster(ApplicationSettings.Check(HostProgram.Silo, Effective(k8s.Single("Deployment", "silo"))));
        var (host, port) = (settings.Redis!.Split(':')[0], ApplicationSettings.Int(settings.Redis.Split(':')[1]));
        var service = k8s.Single("Service", host);
        var redis = k8s.Single("StatefulSet", host);
        Assert.Equal(host, redis.Node.RequireText("spec.serviceName"));
        AssertSelects(service.Node.Require("spec.selector").Strings(), redis);
        var servicePort = Assert.Single(service.Node.Require("spec.ports").Items());
        Assert.Equal(port, servicePort.RequireInt("port"));
        Assert.Equal(port, redis.ContainerPorts[servicePort.RequireText("targetPort")]);

        var args = redis.Container.Get("args").Texts().ToList();
        Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
        Assert.Equal("noeviction", args[args.IndexOf("--maxmemory-policy") + 1]);
        var mount = Assert.Single(redis.Container.Get("volumeMounts").Items());
        Assert.Equal("/data", mount.RequireText("mountPath"));
        var claim = Assert.Single(redis.Node.Require("spec.volumeClaimTemplates").Items());
        Assert.Equal(mount.RequireText("name"), claim.RequireText("metadata.name"));
    }

    [Fact]
    public void There_is_no_RBAC_because_nothing_uses_Orleans_Kubernetes_hosting()
    {
        const string package = "Microsoft.Orleans.Hosting.Kubernetes";
        var projects = Directory.EnumerateFiles(Repository.PathOf("src"), "*.csproj", SearchOption.AllDirectories);
        Assert.DoesNotContain(projects, p => File.ReadAllText(p).Contains(package, StringComparison.Ordinal));
        string[] rbac = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount"];
        Assert.DoesNotContain(k8s.All, m => rbac.Contains(m.Kind));
        // Nothing in the pods talks to the Kubernetes API, so they carry no token for it.
        foreach (var name in new[] { "silo", "gateway" })
            Assert.Equal("false", k8s.Single("Deployment", name).Node.RequireText("spec.template.spec.automountServiceAccountToken"));
    }

    /// <summary>A container's environment: the image's ENV, then the manifest's.</summary>
    private Dictionary<string, string> Effective(Manifest workload)
    {
        var environment = new Dictionary<string, string>(dockerfile.Final.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in k8s.EnvironmentOf(workload.Container)) environment[key] = value;
        return environment;
    }

    private static string? FieldRef(IReadOnlyList<YamlNode> env, string name) =>
        env.Single(e => e.RequireText("name") == name).Get("valueFrom").Get("fieldRef").Get("fieldPath").Text();

    /// <summary>Startup, readiness and liveness all ask grpc.health.v1 on the container's gRPC port.</summary>
    private static void AssertGrpcHealthProbes(Manifest workload, int grpcPort)
    {
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var grpc = workload.Container.Require($"{probe}.grpc");
            Assert.Equal(grpcPort, grpc.RequireInt("port"));
            // The cluster health check waits up to 5 seconds for the cluster; the probe must wait longer.
            Assert.True(workload.Container.Require(probe).RequireInt("timeoutSeconds") > 5, $"{workload.Name} {probe}: timeoutSeconds");
        }
    }

    private static void AssertSelects(IReadOnlyDictionary<string, string> selector, Manifest workload)
    {
        Assert.NotEmpty(selector);
        Assert.All(selector, s => Assert.Equal(s.Value, workload.PodLabels.GetValueOrDefault(s.Key)));
    }

    /// <summary>
    /// The shutdown timeout a host takes from DOTNET_SHUTDOWNTIMEOUTSECONDS: the hosts read DOTNET_ variables into
    /// their configuration without the prefix, and HostOptions takes shutdownTimeoutSeconds from it.
    /// </summary>
    private static TimeSpan HostShutdownTimeout(string seconds)
    {
        var configuration = new ConfigurationManager();
        configuration.AddConfiguration(EnvironmentBinding.Read(new Dictionary<string, string> { ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = seconds }, prefix: "DOTNET_"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = configuration });
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }
}
