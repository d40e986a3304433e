using System.CommandLine;
using System.Text.RegularExpressions;
using Grpc.Core;
using Orleans.Embeddings.Cli.Commands;

namespace Orleans.Embeddings.Cli;

/// <summary>
/// The command tree and its error handling: whatever goes wrong ends as one line on standard error ("error: ...")
/// and a non-zero exit code: 1 for a failure, 2 for a bad command line.
/// </summary>
public static partial class CliApplication
{
    public const int Failure = 1;

    public const int Usage = 2;

    public static RootCommand Build()
    {
        var global = new GlobalOptions();
        var root = new RootCommand("Orleans.Embeddings: t-SNE maps and nearest neighbours of image collections, computed by an Orleans cluster.");
        root.Options.Add(global.Address);
        root.Options.Add(global.ApiKey);
        root.Subcommands.Add(IngestCommand.Build(global));
        root.Subcommands.Add(TsneCommand.Build(global));
        root.Subcommands.Add(JobsCommand.Build(global));
        root.Subcommands.Add(NeighborsCommand.Build(global));
        root.Subcommands.Add(SuggestCommand.Build(global));
        root.Subcommands.Add(TrustCommand.Build(global));
        root.Subcommands.Add(IndexCommand.Build(global));
        root.Subcommands.Add(ExportCommand.Build(global));
        root.Subcommands.Add(RenderCommand.Build(global));
        root.Subcommands.Add(StatusCommand.Build(global));
        return root;
    }

    public static async Task<int> Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {OneLine(parse.Errors[0].Message)} (see --help)");
            return Usage;
        }
        try
        {
            // Ctrl+C is each command's business (tsne offers to cancel the job), so the parser must not take it.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return Usage;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"error: {Describe(e)}");
            return Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: interrupted");
            return 130;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return Failure;
        }
    }

    /// <summary>"NOT_FOUND: name: collection 'x' does not exist", or what stopped the gateway from being reached.</summary>
    public static string Describe(RpcException e)
    {
        var code = StatusName(e.StatusCode);
        if (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is { } inner)
            return $"{code}: cannot reach the gateway ({OneLine(inner.GetBaseException().Message)})";
        return $"{code}: {OneLine(e.Status.Detail)}";
    }

    public static string StatusName(StatusCode code) => Words().Replace(code.ToString(), "_$1").ToUpperInvariant();

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex Words();
}
