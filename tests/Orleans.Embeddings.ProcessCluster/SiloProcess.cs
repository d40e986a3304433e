namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// One silo host (src/Orleans.Embeddings.Silo, as built) running as its own process in Redis mode on loopback,
/// with its own silo, gateway and HTTP ports.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ProgramProcess process;

    private SiloProcess(ProgramProcess process, int siloPort, int gatewayPort, int httpPort)
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
    public string RecentOutput => process.RecentOutput;

    /// <summary>Path of the silo host's built assembly.</summary>
    public static string HostAssembly() => BuiltProject.Assembly("Orleans.Embeddings.Silo", "Orleans.Embeddings.Silo.dll");

    public static SiloProcess Start(RedisServer redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (siloPort, gatewayPort, httpPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var environment = new Dictionary<string, string>
        {
            ["Embeddings__Cluster__SiloPort"] = siloPort.ToString(),
            ["Embeddings__Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Embeddings__Demo__Enabled"] = "false",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        };
        return new SiloProcess(ProgramProcess.Start(HostAssembly(), redis, clusterId, environment, settings), siloPort, gatewayPort, httpPort);
    }

    /// <summary>The process's peak resident memory so far (VmHWM), in megabytes.</summary>
    public double PeakMegabytes() => PeakMemory.Megabytes(process.Id);

    /// <summary>Ends the process at once, as a machine failure would (SIGKILL).</summary>
    public Task Kill() => process.Kill();

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
            await process.WaitForExit(waiting.Token);
        }
        catch (OperationCanceledException)
        {
            await Kill();
            throw new TimeoutException($"The silo process did not stop within {timeout} of SIGTERM:\n{RecentOutput}");
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
