using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Orleans.Embeddings.Deployment.Tests.Support;
using Orleans.Embeddings.ProcessCluster;

namespace Orleans.Embeddings.Deployment.Tests;

/// <summary>
/// deploy/local-cluster.sh, run for real over the build outputs: Redis, two silos and the standalone gateway on
/// loopback, configured with the same keys as the containers, and every one of them gone after it is stopped.
/// </summary>
public sealed partial class LocalClusterScriptTests
{
    private const string Script = "deploy/local-cluster.sh";
    private const int Silos = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Runs_redis_silos_and_the_gateway_on_loopback_and_stops_every_process()
    {
        var clusterId = $"local-{Guid.NewGuid():N}"[..16];
        // The ports follow from one offset; one that collides with a port in use is refused by the script, so try another.
        for (var attempt = 1; ; attempt++)
        {
            var offset = Random.Shared.Next(2000, 2800) * 10;
            await using var script = ScriptProcess.Start(Script, "--silos", $"{Silos}", "--port-offset", $"{offset}", "--no-publish",
                "--configuration", Repository.Configuration, "--cluster-id", clusterId);
            var ready = await script.WaitForLine(line => line == "ready", StartTimeout);
            if (!ready && attempt < 3 && script.Output.Contains("is taken", StringComparison.Ordinal)) continue;
            Assert.True(ready, $"the script did not get ready:\n{script.Output}");
            await CheckCluster(script, offset, clusterId);
            return;
        }
    }

    private static async Task CheckCluster(ScriptProcess script, int offset, string clusterId)
    {
        var printed = script.Output;
        var redis = Match(RedisLine(), printed);
        Assert.Equal(6379 + offset, int.Parse(redis.Groups["port"].Value));
        var gatewayGrpc = int.Parse(Match(GatewayLine(), printed).Groups["grpc"].Value);
        Assert.Equal(5001 + offset, gatewayGrpc);
        var silos = SiloLine().Matches(printed).ToArray();
        Assert.Equal(Silos, silos.Length);
        Assert.Equal(Enumerable.Range(1, Silos).Select(i => 11110 + i + offset), silos.Select(s => int.Parse(s.Groups["silo"].Value)));
        int[] pids = [int.Parse(redis.Groups["pid"].Value), int.Parse(Match(GatewayLine(), printed).Groups["pid"].Value), .. silos.Select(s => int.Parse(s.Groups["pid"].Value))];
        var dataDirectory = redis.Groups["data"].Value;
        Assert.True(Directory.Exists(dataDirectory));

        // One cluster of both silos, through the Redis the script started.
        await using (var connection = await ClusterConnection.Connect($"127.0.0.1:{6379 + offset}", clusterId, TimeSpan.FromSeconds(60)))
        {
            await connection.WaitForSilos(Silos, TimeSpan.FromSeconds(60));
            var hosts = await connection.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Equal(silos.Select(s => int.Parse(s.Groups["silo"].Value)), hosts.Keys.Select(h => h.Endpoint.Port).Order());
        }

        // grpc.health.v1 over cleartext HTTP/2 on the gRPC ports: the gateway and every silo host serve.
        foreach (var port in silos.Select(s => int.Parse(s.Groups["grpc"].Value)).Prepend(gatewayGrpc))
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await WaitForServing(port, TimeSpan.FromSeconds(60)));

        // The image's health check command, against the gateway.
        var probe = await ScriptRun.RunCommand("dotnet", [Repository.BuiltAssembly("Orleans.Embeddings.Cli", "embeddings.dll"), "status"],
            new Dictionary<string, string> { ["EMBEDDINGS_ADDRESS"] = $"http://127.0.0.1:{gatewayGrpc}" }, TimeSpan.FromSeconds(60));
        Assert.True(probe.ExitCode == 0, $"status exited {probe.ExitCode}: {probe.Output}{probe.Errors}");
        Assert.Contains("SERVING", probe.Output, StringComparison.Ordinal);

        // Stopped as Ctrl+C or an orchestrator stops it: every process goes, Redis is no longer there, nothing is left behind.
        Assert.Equal(143, await script.Terminate(TimeSpan.FromSeconds(90)));
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} is still running:\n{script.Output}"));
        Assert.False(await Listening(6379 + offset));
        Assert.False(Directory.Exists(dataDirectory));
        Assert.Contains("Stopped.", script.Output, StringComparison.Ordinal);
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> WaitForServing(int port, TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
            if (status == HealthCheckResponse.Types.ServingStatus.Serving || DateTime.UtcNow > deadline) return status;
            await Task.Delay(500);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<bool> Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Match Match(Regex regex, string text)
    {
        var match = regex.Match(text);
        Assert.True(match.Success, $"no line matches {regex}:\n{text}");
        return match;
    }

    [GeneratedRegex(@"^  redis +127\.0\.0\.1:(?<port>\d+)  pid (?<pid>\d+)  data (?<data>\S+)$", RegexOptions.Multiline)]
    private static partial Regex RedisLine();

    [GeneratedRegex(@"^  gateway +gRPC http://127\.0\.0\.1:(?<grpc>\d+) .* pid (?<pid>\d+) ", RegexOptions.Multiline)]
    private static partial Regex GatewayLine();

    [GeneratedRegex(@"^  silo-\d+ +gRPC http://127\.0\.0\.1:(?<grpc>\d+) .* silo port (?<silo>\d+) .* pid (?<pid>\d+) ", RegexOptions.Multiline)]
    private static partial Regex SiloLine();

    /// <summary>The script running in the background, its output collected line by line.</summary>
    private sealed class ScriptProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();

        private ScriptProcess(Process process) => this.process = process;

        public string Output => string.Join('\n', lines);

        public static ScriptProcess Start(string script, params string[] arguments)
        {
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Repository.Root,
            };
            start.ArgumentList.Add(Repository.PathOf(script));
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
            var running = new ScriptProcess(process);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) running.lines.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) running.lines.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return running;
        }

        /// <summary>Waits for a line; false if the script exits or the time runs out first.</summary>
        public async Task<bool> WaitForLine(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (lines.Any(match)) return true;
                if (process.HasExited)
                {
                    await process.WaitForExitAsync();
                    return lines.Any(match);
                }
                await Task.Delay(100);
            }
            return false;
        }

        /// <summary>SIGTERM, the signal the script handles as it handles Ctrl+C; returns its exit code.</summary>
        public async Task<int> Terminate(TimeSpan timeout)
        {
            PosixSignals.Terminate(process.Id);
            using var cancel = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                // A failed test still leaves no cluster behind: the script stops what it started.
                PosixSignals.Terminate(process.Id);
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    await process.WaitForExitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            process.Dispose();
        }
    }
}
