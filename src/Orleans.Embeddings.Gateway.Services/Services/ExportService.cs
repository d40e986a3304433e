using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;
using Orleans.Embeddings.Gateway.Projector;
using Orleans.Embeddings.Gateway.Services.Exports;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>
/// A completed job as files, all in the order the job numbered the points: the plain TSVs (tensors.tsv, metadata.tsv
/// and map.tsv; without tensors.tsv for the map format), or the folder that TensorBoard's and the standalone
/// Embedding Projector open, zipped as projector.zip.
/// </summary>
public sealed class ExportService(IGrainFactory grains) : Export.ExportBase
{
    public const string TensorsFile = TsvExport.TensorsFile;

    public const string MetadataFile = TsvExport.MetadataFile;

    public const string MapFile = TsvExport.MapFile;

    /// <summary>The one file of the Projector format.</summary>
    public const string ArchiveFile = ProjectorFiles.Archive;

    /// <summary>Largest chunk of a file in one message.</summary>
    public const int ChunkBytes = ChunkedFile.ChunkBytes;

    public override async Task ExportJob(ExportRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        var format = request.Format switch
        {
            ExportFormat.Unspecified or ExportFormat.Tsv => ExportFormat.Tsv,
            ExportFormat.Map or ExportFormat.Projector => request.Format,
            var other => throw Problems.Invalid("format", $"{(int)other} is not an export format"),
        };
        var job = await ExportedJob.Load(grains, jobId);
        var cancellation = context.CancellationToken;
        if (format == ExportFormat.Projector)
            await ProjectorExport.Send(job, responseStream, cancellation);
        else
            await TsvExport.Send(job, withTensors: format == ExportFormat.Tsv, responseStream, cancellation);
    }
}
