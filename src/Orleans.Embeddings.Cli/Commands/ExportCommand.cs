using System.CommandLine;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary><c>embeddings export JOB</c>: writes the Embedding Projector files of a completed job into a folder.</summary>
public static class ExportCommand
{
    public static Command Build(GlobalOptions global)
    {
        var job = new Argument<string>("job") { Description = "A completed job." };
        var output = new Option<string?>("--output", "-o") { Description = "The folder to write into (default: ./JOB)." };
        var command = new Command("export", "Write a completed job's Embedding Projector files (tensors.tsv, metadata.tsv, map.tsv).") { job, output };
        command.SetAction(async (parse, cancellation) =>
        {
            var jobId = parse.GetValue(job)!;
            var folder = Path.GetFullPath(parse.GetValue(output) ?? jobId);
            Directory.CreateDirectory(folder);
            using var client = global.Connect(parse);
            using var call = client.Export.ExportJob(new ExportRequest { JobId = jobId }, cancellationToken: cancellation);
            FileStream? file = null;
            var written = new List<(string Name, long Bytes)>();
            try
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    // The gateway names plain files; anything else would write outside the folder.
                    if (chunk.File != Path.GetFileName(chunk.File) || chunk.File is "" or "." or "..")
                        throw new InvalidDataException($"The gateway sent a file named '{chunk.File}'.");
                    file ??= File.Create(Path.Combine(folder, chunk.File));
                    chunk.Data.WriteTo(file);
                    if (!chunk.Last) continue;
                    written.Add((chunk.File, file.Length));
                    await file.DisposeAsync();
                    file = null;
                }
            }
            finally
            {
                if (file is not null) await file.DisposeAsync();
            }
            foreach (var (name, bytes) in written)
                Console.WriteLine($"{Path.Combine(folder, name)} ({bytes} bytes)");
            return 0;
        });
        return command;
    }
}
