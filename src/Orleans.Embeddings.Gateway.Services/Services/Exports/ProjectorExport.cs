using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Projector;

namespace Orleans.Embeddings.Gateway.Services.Exports;

/// <summary>
/// The Projector folder of a job (<see cref="ProjectorExportWriter"/>), written in a temporary folder on the
/// gateway, zipped, and streamed as the one file projector.zip; the temporary files go when the call ends.
/// </summary>
internal static class ProjectorExport
{
    public static async Task Send(ExportedJob job, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation)
    {
        var work = Directory.CreateTempSubdirectory("embeddings-export-");
        try
        {
            var folder = Path.Combine(work.FullName, "projector");
            ProjectorExportWriter? writer = null;
            try
            {
                await foreach (var (block, _, count) in job.Embeddings())
                {
                    cancellation.ThrowIfCancellationRequested();
                    // The vectors' width comes from the embeddings themselves: a collection created with 0 dimensions
                    // takes them from its first embedding.
                    writer ??= new ProjectorExportWriter(folder,
                        new ProjectorJob(job.JobId, job.Collection, job.Points, block.Dimensions, job.Map.Dimensions, job.Status.Iteration));
                    writer.AppendVectors(block.Rows[..(count * block.Dimensions)]);
                    foreach (var info in await job.Images(new ArraySegment<string>(block.Ids, 0, count)))
                        writer.AppendImage(new ProjectorImage(info.Id, info.Labels, info.Source.ToString(), info.Metadata, info.Thumbnail));
                }
                // ExportedJob.Embeddings has thrown if the collection holds fewer images than the map, so there was a block.
                writer!.Complete(job.Map.Coordinates);
            }
            finally
            {
                writer?.Dispose();
            }
            var zip = Path.Combine(work.FullName, ProjectorFiles.Archive);
            ProjectorArchive.Create(folder, zip);
            await ChunkedFile.SendFile(ProjectorFiles.Archive, zip, stream, cancellation);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
