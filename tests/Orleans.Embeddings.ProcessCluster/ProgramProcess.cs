using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// A program of this repository (a built assembly run by `dotnet`) as a process of a Redis cluster on loopback:
/// the cluster's settings in its environment, its last lines of output kept for failure messages.
/// </summary>
public sealed class ProgramProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ProgramProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote.</summary>
    public string RecentOutput => string.Join('\n', output.TakeLast(40));

    /// <summary>
    /// Starts <paramref name="assembly"/> in the Redis server's folder as a member of cluster
    /// <paramref name="clusterId"/>, with <paramref name="environment"/> and then <paramref name="settings"/> over
    /// the cluster's settings. Workstation GC: several processes share the machine's cores.
    /// </summary>
    public static ProgramProcess Start(string assembly, RedisServer redis, string clusterId,
        IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = redis.Directory,
        };
        start.Environment["Embeddings__Cluster__Mode"] = "Redis";
        start.Environment["Embeddings__Cluster__Redis"] = redis.ConnectionString;
        start.Environment["Embeddings__Cluster__ClusterId"] = clusterId;
        start.Environment["Embeddings__Cluster__ServiceId"] = clusterId;
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var started = new ProgramProcess(Process.Start(start) ?? throw new InvalidOperationException($"{Path.GetFileName(assembly)} did not start."));
        started.process.OutputDataReceived += (_, e) => started.Record(e.Data);
        started.process.ErrorDataReceived += (_, e) => started.Record(e.Data);
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Ends the process at once, as a machine failure would (SIGKILL).</summary>
    public async Task Kill()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public Task WaitForExit(CancellationToken cancellation) => process.WaitForExitAsync(cancellation);

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
