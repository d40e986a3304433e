using System.CommandLine;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Exports;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings export --job JOB --out DIR</c>: writes a completed job's Embedding Projector folder (or its zip,
/// or the plain TSV files).
/// </summary>
public static class ExportCommand
{
    public static Command Build(GlobalOptions global)
    {
        var jobArgument = new Argument<string?>("job") { Description = "A completed job (or give --job).", Arity = ArgumentArity.ZeroOrOne };
        var jobOption = new Option<string?>("--job", "-j") { Description = "A completed job." };
        var output = new Option<string?>("--out", "--output", "-o") { Description = "The folder to write into (default: ./JOB)." };
        var zip = new Option<string?>("--zip") { Description = "Write the Projector folder as this one zip file instead of unpacking it." };
        var format = new Option<string?>("--format") { Description = "projector (the Projector's folder) or tsv (tensors.tsv, metadata.tsv, map.tsv) [projector]." };
        format.AcceptOnlyFromAmong("projector", "tsv");
        var command = new Command("export",
            "Write a completed job's Embedding Projector folder: configs for TensorBoard and the standalone projector, tensors, metadata, sprite and bookmarks.")
        {
            jobArgument, jobOption, output, zip, format,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var jobId = JobId(parse.GetValue(jobArgument), parse.GetValue(jobOption));
            var tsv = parse.GetValue(format) == "tsv";
            var zipPath = parse.GetValue(zip);
            if (tsv && zipPath is not null) throw new UsageException("--zip holds the Projector folder; it does not go with --format tsv");
            using var client = global.Connect(parse);

            if (tsv)
            {
                var folder = Directory.CreateDirectory(Path.GetFullPath(parse.GetValue(output) ?? jobId)).FullName;
                var files = await ExportDownload.Receive(client, new ExportRequest { JobId = jobId, Format = ExportFormat.Tsv },
                    name => File.Create(Path.Combine(folder, name)), cancellation);
                foreach (var (name, bytes) in files) Console.WriteLine($"{Path.Combine(folder, name)} ({bytes} bytes)");
                return 0;
            }

            var request = new ExportRequest { JobId = jobId, Format = ExportFormat.Projector };
            if (zipPath is not null)
            {
                var target = Path.GetFullPath(zipPath);
                if (Path.GetDirectoryName(target) is { } parent) Directory.CreateDirectory(parent);
                var files = await ExportDownload.Receive(client, request, _ => File.Create(target), cancellation);
                Console.WriteLine($"{target} ({files.Sum(f => f.Bytes)} bytes)");
                return 0;
            }

            var destination = Path.GetFullPath(parse.GetValue(output) ?? jobId);
            var archive = Path.Combine(Path.GetTempPath(), $"embeddings-{jobId}-{Guid.NewGuid():N}.zip");
            try
            {
                await ExportDownload.Receive(client, request, _ => File.Create(archive), cancellation);
                foreach (var (path, bytes) in ProjectorFolder.Extract(archive, destination))
                    Console.WriteLine($"{path} ({bytes} bytes)");
            }
            finally
            {
                File.Delete(archive);
            }
            Console.WriteLine($"Open it in TensorBoard (tensorboard --logdir {destination}) or serve the folder to the standalone projector (projector_config.json).");
            return 0;
        });
        return command;
    }

    private static string JobId(string? argument, string? option) => (argument, option) switch
    {
        (null, null) => throw new UsageException("give the job: export --job JOB (or export JOB)"),
        ({ } a, { } o) when a != o => throw new UsageException($"the job is given twice, as '{a}' and as --job '{o}'"),
        _ => argument ?? option!,
    };
}
