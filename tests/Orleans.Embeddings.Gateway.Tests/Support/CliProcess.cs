using System.Diagnostics;
using Orleans.Embeddings.ProcessCluster;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>The command-line client (src/Orleans.Embeddings.Cli, as built) run as a process, its output captured.</summary>
public static class CliProcess
{
    /// <param name="PeakMegabytes">The process's peak resident memory (VmHWM), as last read while it ran.</param>
    public sealed record Result(int ExitCode, string Output, string Error, double PeakMegabytes)
    {
        public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static Task<Result> Run(Uri gateway, params string[] arguments) => Run(gateway, TimeSpan.FromMinutes(3), arguments);

    public static async Task<Result> Run(Uri gateway, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { BuiltProject.Assembly("Orleans.Embeddings.Cli", "embeddings.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--address");
        start.ArgumentList.Add(gateway.ToString());
        start.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The CLI did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        double peak = 0;
        try
        {
            // VmHWM only grows, so its last reading before the exit is the peak within one sampling interval.
            while (!process.HasExited)
            {
                peak = Math.Max(peak, PeakMemory.Megabytes(process.Id));
                await Task.WhenAny(process.WaitForExitAsync(timeout.Token), Task.Delay(50, timeout.Token));
                timeout.Token.ThrowIfCancellationRequested();
            }
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"embeddings {string.Join(' ', arguments)} ran over {limit}:\n{await output}\n{await error}");
        }
        return new Result(process.ExitCode, await output, await error, peak);
    }
}
