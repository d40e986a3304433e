using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>A redis-server (Debian's package) on a free loopback port, for membership and grain state.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string executable;
    private Process process;

    private RedisServer(string executable, Process process, int port, string directory)
    {
        this.executable = executable;
        this.process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts the server with append-only persistence in a fresh directory and waits until it answers PING.</summary>
    public static async Task<RedisServer> Start(string? executable = null)
    {
        executable ??= File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
        var port = FreePorts.Next();
        var directory = System.IO.Directory.CreateTempSubdirectory("embeddings-redis-").FullName;
        var server = new RedisServer(executable, Launch(executable, port, directory), port, directory);
        await server.WaitUntilAnswering();
        return server;
    }

    /// <summary>
    /// Shuts the server down as an operator would (SHUTDOWN, which flushes the append-only file) and starts it again
    /// on the same port over the same directory, so that everything it holds must come back from disk.
    /// </summary>
    public async Task Restart()
    {
        await Shutdown();
        process.Dispose();
        process = Launch(executable, Port, Directory);
        await WaitUntilAnswering();
    }

    private static Process Launch(string executable, int port, string directory)
    {
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--save", "" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server).", e);
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilAnswering()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await Ping())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING.");
            await Task.Delay(100);
        }
    }

    private async Task Shutdown()
    {
        if (process.HasExited) return;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            // A successful SHUTDOWN closes the connection without a reply.
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("SHUTDOWN\r\n"));
        }
        catch (SocketException)
        {
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"redis-server on port {Port} did not shut down in 30 seconds.");
        }
    }

    private async Task<bool> Ping()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
