namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// The standalone gateway (src/Orleans.Embeddings.Gateway, as built) as its own process: an Orleans client of a
/// Redis cluster serving the gRPC API on a free loopback port, the way the deployment puts it in front of the silos.
/// </summary>
public sealed class StandaloneGatewayProcess : IAsyncDisposable
{
    private readonly ProgramProcess process;

    private StandaloneGatewayProcess(ProgramProcess process, Uri grpcAddress, Uri webAddress)
    {
        this.process = process;
        GrpcAddress = grpcAddress;
        WebAddress = webAddress;
    }

    /// <summary>Native gRPC (HTTP/2 without TLS).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>HTTP/1.1 and HTTP/2: gRPC-Web and the dashboard.</summary>
    public Uri WebAddress { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string RecentOutput => process.RecentOutput;

    public static StandaloneGatewayProcess Start(RedisServer redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (web, grpc) = (FreePorts.Next(), FreePorts.Next());
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{web}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
        };
        var process = ProgramProcess.Start(BuiltProject.Assembly("Orleans.Embeddings.Gateway", "Orleans.Embeddings.Gateway.dll"), redis, clusterId, environment, settings);
        return new StandaloneGatewayProcess(process, new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{web}"));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
