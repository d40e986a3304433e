using Orleans.Embeddings.Deployment.Tests.Support;

namespace Orleans.Embeddings.Deployment.Tests;

/// <summary>
/// deploy/docker-entrypoint.sh run with /bin/sh, as in the image, against stand-ins: a `dotnet` that reports what
/// it was asked to run and with which advertised address, and a `hostname` that answers as Docker's /etc/hosts does.
/// </summary>
public sealed class EntrypointTests : IDisposable
{
    private const string Script = "deploy/docker-entrypoint.sh";

    private readonly DirectoryInfo bin = Directory.CreateTempSubdirectory("embeddings-entrypoint-");
    private readonly Dictionary<string, string> images;

    public EntrypointTests()
    {
        File.WriteAllText(Path.Combine(bin.FullName, "dotnet"),
            "#!/bin/sh\necho \"run $*\"\necho \"advertised=${Embeddings__Cluster__AdvertisedIP-unset}\"\n");
        // Docker's /etc/hosts maps the container's hostname to its address; a link-local IPv6 and a loopback alias
        // may come first.
        File.WriteAllText(Path.Combine(bin.FullName, "hostname"), "#!/bin/sh\necho 'fe80::42:acff:fe12:5 127.0.1.1 172.18.0.5 10.0.9.4'\n");
        foreach (var tool in new[] { "dotnet", "hostname" })
            File.SetUnixFileMode(Path.Combine(bin.FullName, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        images = new Dictionary<string, string>(ImagePrograms.AssembliesInImage(Dockerfile.Load())
            .ToDictionary(p => ImagePrograms.AssemblyName(p.Key), p => p.Value), StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_silo_in_Redis_mode_advertises_its_container_address()
    {
        var run = await Entrypoint(["silo", "--extra"], new() { ["Embeddings__Cluster__Mode"] = "Redis", ["Embeddings__Cluster__AdvertisedIP"] = "" });
        Assert.Equal([$"run {Image("Orleans.Embeddings.Silo")} --extra", "advertised=172.18.0.5"], Lines(run));
    }

    [Fact]
    public async Task The_silo_is_the_default_and_keeps_the_address_Kubernetes_gives_it()
    {
        var run = await Entrypoint([], new() { ["Embeddings__Cluster__Mode"] = "Redis", ["Embeddings__Cluster__AdvertisedIP"] = "10.244.1.7" });
        Assert.Equal([$"run {Image("Orleans.Embeddings.Silo")}", "advertised=10.244.1.7"], Lines(run));
    }

    [Fact]
    public async Task An_embedded_silo_advertises_nothing()
    {
        // The host refuses an advertised address in embedded mode: one silo on localhost.
        var run = await Entrypoint(["silo"], new());
        Assert.Equal([$"run {Image("Orleans.Embeddings.Silo")}", "advertised=unset"], Lines(run));
    }

    [Fact]
    public async Task The_gateway_and_the_cli_run_their_own_assemblies_without_an_advertised_address()
    {
        var gateway = await Entrypoint(["gateway"], new() { ["Embeddings__Cluster__Mode"] = "Redis" });
        Assert.Equal([$"run {Image("Orleans.Embeddings.Gateway")}", "advertised=unset"], Lines(gateway));
        var cli = await Entrypoint(["embeddings", "status", "--address", "http://127.0.0.1:5001"], new());
        Assert.Equal($"run {Image("embeddings")} status --address http://127.0.0.1:5001", Lines(cli)[0]);
        var other = await Entrypoint(["echo", "plain", "command"], new());
        Assert.Equal(["plain command"], Lines(other));
    }

    public void Dispose() => bin.Delete(recursive: true);

    /// <summary>The assembly's path in the image, with the app directory as the script sees it here.</summary>
    private string Image(string assembly) => Path.Combine(bin.FullName, "app") + images[assembly][ImagePrograms.AppDirectory.TrimEnd('/').Length..];

    private async Task<ScriptRun> Entrypoint(string[] arguments, Dictionary<string, string> environment)
    {
        environment["PATH"] = $"{bin.FullName}:/usr/bin:/bin";
        environment["EMBEDDINGS_APP_DIR"] = Path.Combine(bin.FullName, "app");
        var run = await ScriptRun.Run("/bin/sh", Script, arguments, environment, TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Errors}");
        return run;
    }

    private static string[] Lines(ScriptRun run) => run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
