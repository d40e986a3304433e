using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// The standalone gateway (src/Orleans.Embeddings.Gateway, as built) as its own process: an Orleans client of a
/// Redis cluster serving the gRPC API on a free loopback port, the way the deployment puts it in front of the silos.
/// </summary>
public sealed class StandaloneGatewayProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private StandaloneGatewayProcess(Process process, Uri grpcAddress, Uri webAddress)
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
    public string RecentOutput => string.Join('\n', output.TakeLast(40));

    public static StandaloneGatewayProcess Start(RedisServer redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (web, grpc) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { BuiltProject.Assembly("Orleans.Embeddings.Gateway", "Orleans.Embeddings.Gateway.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = redis.Directory,
        };
        var environment = new Dictionary<string, string>
        {
            ["Embeddings__Cluster__Mode"] = "Redis",
            ["Embeddings__Cluster__Redis"] = redis.ConnectionString,
            ["Embeddings__Cluster__ClusterId"] = clusterId,
            ["Embeddings__Cluster__ServiceId"] = clusterId,
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{web}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway process did not start.");
        var gateway = new StandaloneGatewayProcess(process, new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{web}"));
        process.OutputDataReceived += (_, e) => gateway.Record(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    private void Record(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200) output.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
