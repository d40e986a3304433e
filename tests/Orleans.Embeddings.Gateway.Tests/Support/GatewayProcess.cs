using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Embeddings.ProcessCluster;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>The standalone gateway (src/Orleans.Embeddings.Gateway, as built) as its own process, a client of a Redis cluster.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private GatewayProcess(Process process, Uri grpcAddress, Uri webAddress)
    {
        this.process = process;
        GrpcAddress = grpcAddress;
        WebAddress = webAddress;
    }

    public Uri GrpcAddress { get; }

    /// <summary>HTTP/1.1 and HTTP/2: gRPC-Web and the dashboard.</summary>
    public Uri WebAddress { get; }

    public string RecentOutput => string.Join('\n', output.TakeLast(40));

    public static GatewayProcess Start(RedisServer redis, string clusterId)
    {
        var (web, grpc) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { BuiltAssembly.Find("Orleans.Embeddings.Gateway", "Orleans.Embeddings.Gateway.dll") },
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
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway process did not start.");
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{web}"));
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
