using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// One silo host (src/Orleans.Embeddings.Silo, as built) running as its own process in Redis mode on loopback,
/// with its own silo, gateway and HTTP ports.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private SiloProcess(Process process, int siloPort, int gatewayPort, int httpPort)
    {
        this.process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', output.TakeLast(40));

    /// <summary>Path of the silo host's built assembly.</summary>
    public static string HostAssembly() => BuiltProject.Assembly("Orleans.Embeddings.Silo", "Orleans.Embeddings.Silo.dll");

    public static SiloProcess Start(RedisServer redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (siloPort, gatewayPort, httpPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { HostAssembly() },
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
            ["Embeddings__Cluster__SiloPort"] = siloPort.ToString(),
            ["Embeddings__Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Embeddings__Demo__Enabled"] = "false",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo process did not start.");
        var silo = new SiloProcess(process, siloPort, gatewayPort, httpPort);
        process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Ends the process at once, as a machine failure would (SIGKILL).</summary>
    public async Task Kill()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>
    /// Stops the process as an orchestrator does (SIGTERM: the silo leaves the cluster in order and marks itself
    /// dead in the membership table), and kills it if it has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task Stop(TimeSpan timeout)
    {
        if (process.HasExited) return;
        PosixSignals.Terminate(process.Id);
        using var waiting = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(waiting.Token);
        }
        catch (OperationCanceledException)
        {
            await Kill();
            throw new TimeoutException($"The silo process did not stop within {timeout} of SIGTERM:\n{RecentOutput}");
        }
    }

    private void Record(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200) output.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        process.Dispose();
    }
}
