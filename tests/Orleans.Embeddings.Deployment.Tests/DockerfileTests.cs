using Orleans.Embeddings.Cli;
using Orleans.Embeddings.Deployment.Tests.Support;
using Orleans.Embeddings.Gateway;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Deployment.Tests;

/// <summary>deploy/Dockerfile against the programs it packages.</summary>
public sealed class DockerfileTests
{
    private readonly Dockerfile dockerfile = Dockerfile.Load();

    [Fact]
    public void Builds_with_the_SDK_and_ships_only_the_runtime_and_the_published_programs()
    {
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", dockerfile.Stages[0].BaseImage);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile.Final.BaseImage);
        var build = dockerfile.Stages[0].Name;
        Assert.NotNull(build);

        // The final stage takes nothing from the build stage but the publish outputs, and builds nothing itself.
        var copies = dockerfile.Final.All("COPY").Select(c => c.Arguments).ToArray();
        Assert.Contains($"--from={build} {ImagePrograms.BuildOutput} {ImagePrograms.AppDirectory}", copies);
        Assert.All(copies.Where(c => c.Contains("--from=", StringComparison.Ordinal)),
            c => Assert.StartsWith($"--from={build} {ImagePrograms.BuildOutput}", c));
        Assert.DoesNotContain(dockerfile.Final.All("RUN"), run => run.Arguments.Contains("dotnet", StringComparison.Ordinal));
    }

    [Fact]
    public void Publishes_the_silo_host_the_standalone_gateway_and_the_cli()
    {
        var assemblies = ImagePrograms.AssembliesInImage(dockerfile);
        string[] programs = [typeof(SiloHost).Assembly.GetName().Name!, typeof(GatewayHost).Assembly.GetName().Name!, typeof(GlobalOptions).Assembly.GetName().Name!];
        Assert.Equal(programs.Order(StringComparer.Ordinal), assemblies.Keys.Select(ImagePrograms.AssemblyName).Order(StringComparer.Ordinal));
        Assert.All(assemblies.Keys, project => Assert.True(File.Exists(Repository.PathOf(project)), $"{project} does not exist"));
        // Every file the build stage copies in exists, so that the build context has what the build needs.
        foreach (var copy in dockerfile.Stages[0].All("COPY"))
            foreach (var source in copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
                Assert.True(File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source)), $"COPY {source}: not in the repository");
    }

    [Fact]
    public void Runs_as_an_unprivileged_user()
    {
        var user = Assert.Single(dockerfile.Final.All("USER")).Arguments;
        // The base image's own non-root user, by its numeric id, which Kubernetes' runAsNonRoot can verify.
        Assert.Equal("$APP_UID", user);
        var lastUser = dockerfile.Final.Instructions.FindLastIndex(i => i.Keyword == "USER");
        Assert.DoesNotContain(dockerfile.Final.Instructions.Skip(lastUser), i => i.Keyword == "RUN");
    }

    [Fact]
    public void Every_program_listens_on_the_hosts_ports_and_exposes_the_orleans_ports()
    {
        var environment = dockerfile.Final.Environment;
        var silo = ApplicationSettings.Check(HostProgram.Silo, environment);
        ApplicationSettings.Check(HostProgram.Gateway, environment);

        Assert.Equal(HttpEndpoints.WebPort, ApplicationSettings.EndpointPort(silo, "Web"));
        Assert.Equal(HttpEndpoints.GrpcPort, ApplicationSettings.EndpointPort(silo, "Grpc"));
        Assert.Equal("0.0.0.0", ApplicationSettings.ParseUrl(silo["Kestrel:Endpoints:Grpc:Url"]!).Host);
        // Native gRPC needs HTTP/2 without TLS, which Kestrel only speaks on an HTTP/2-only endpoint.
        Assert.Equal("Http2", silo["Kestrel:Endpoints:Grpc:Protocols"]);
        Assert.Equal("", environment["ASPNETCORE_HTTP_PORTS"]);

        var defaults = new ClusterSettings();
        var exposed = dockerfile.Final.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(ApplicationSettings.Int).Order();
        Assert.Equal(new[] { HttpEndpoints.WebPort, HttpEndpoints.GrpcPort, defaults.SiloPort, defaults.GatewayPort }.Order(), exposed);
    }

    [Fact]
    public void The_health_check_asks_the_gRPC_health_service_of_the_container_through_the_cli()
    {
        var healthCheck = Assert.Single(dockerfile.Final.All("HEALTHCHECK")).Arguments;
        var command = Dockerfile.ExecForm(healthCheck[(healthCheck.IndexOf("CMD ", StringComparison.Ordinal) + 4)..]);
        var cli = ImagePrograms.AssembliesInImage(dockerfile).Single(p => ImagePrograms.AssemblyName(p.Key) == typeof(GlobalOptions).Assembly.GetName().Name).Value;
        Assert.Equal(["dotnet", cli, "status"], command);

        // The CLI finds the gateway through EMBEDDINGS_ADDRESS: this container's own gRPC port.
        var address = new Uri(dockerfile.Final.Environment["EMBEDDINGS_ADDRESS"]);
        Assert.Equal(("127.0.0.1", HttpEndpoints.GrpcPort), (address.Host, address.Port));
        Assert.Equal(address.ToString().TrimEnd('/'), CliAddressWith(address.ToString().TrimEnd('/')));
    }

    [Fact]
    public void The_entrypoint_is_the_script_the_image_copies_in_and_runs_the_silo_by_default()
    {
        Assert.Equal(["/app/docker-entrypoint.sh"], Dockerfile.ExecForm(Assert.Single(dockerfile.Final.All("ENTRYPOINT")).Arguments));
        Assert.Equal(["silo"], Dockerfile.ExecForm(Assert.Single(dockerfile.Final.All("CMD")).Arguments));
        Assert.Contains(dockerfile.Final.All("COPY"), c => c.Arguments == "--chmod=755 deploy/docker-entrypoint.sh /app/docker-entrypoint.sh");
        Assert.Equal("orleans-embeddings", dockerfile.Final.Labels["org.opencontainers.image.title"]);
    }

    /// <summary>The gateway address the CLI takes when EMBEDDINGS_ADDRESS is set and no --address is given.</summary>
    private static string CliAddressWith(string address)
    {
        var previous = Environment.GetEnvironmentVariable("EMBEDDINGS_ADDRESS");
        Environment.SetEnvironmentVariable("EMBEDDINGS_ADDRESS", address);
        try
        {
            var global = new GlobalOptions();
            var root = new System.CommandLine.RootCommand { global.Address };
            return root.Parse([]).GetValue(global.Address)!;
        }
        finally
        {
            Environment.SetEnvironmentVariable("EMBEDDINGS_ADDRESS", previous);
        }
    }
}
