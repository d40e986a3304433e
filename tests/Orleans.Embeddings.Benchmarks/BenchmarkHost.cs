using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The silo host (silo, gRPC gateway, dashboard) in this process, as Program.cs builds it, in a temporary data
/// directory on free loopback ports: native gRPC on an HTTP/2-only endpoint.
/// </summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string directory;

    private BenchmarkHost(WebApplication app, string directory, Uri grpcAddress)
    {
        this.app = app;
        this.directory = directory;
        GrpcAddress = grpcAddress;
    }

    public Uri GrpcAddress { get; }

    /// <param name="demo">Load the demo collection (and start its job) as the host does by default.</param>
    public static async Task<BenchmarkHost> Start(bool demo)
    {
        var directory = Directory.CreateTempSubdirectory("embeddings-bench-").FullName;
        var grpc = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var app = SiloHost.Create(
        [
            "--Embeddings:DataDirectory=" + directory,
            "--Embeddings:Demo:Enabled=" + (demo ? "true" : "false"),
            "--Embeddings:Cluster:SiloPort=" + FreePorts.Next(),
            "--Embeddings:Cluster:GatewayPort=" + FreePorts.Next(),
            $"--Kestrel:Endpoints:Web:Url=http://127.0.0.1:{FreePorts.Next()}",
            $"--Kestrel:Endpoints:Grpc:Url={grpc}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new BenchmarkHost(app, directory, grpc);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle; the temporary folder is the system's to clean.
        }
    }
}
