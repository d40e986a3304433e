using System.Diagnostics;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>Runs a program (a shell script of the repository, a built program) to its end and keeps what it printed.</summary>
public sealed record ScriptRun(int ExitCode, string Output, string Errors)
{
    public static Task<ScriptRun> Run(string shell, string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout) =>
        RunCommand(shell, [Repository.PathOf(script), .. arguments], environment, timeout);

    public static async Task<ScriptRun> RunCommand(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout}.");
        }
        return new ScriptRun(process.ExitCode, await output, await errors);
    }
}
