using System.Globalization;
using System.Text;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Services.Exports;

/// <summary>
/// The plain TSV files: tensors.tsv (the embeddings, no header; left out for the map format), metadata.tsv (an
/// "id, label" header, then a row per image) and map.tsv (the map, no header), all in the job's point order.
/// </summary>
internal static class TsvExport
{
    public const string TensorsFile = "tensors.tsv";

    public const string MetadataFile = "metadata.tsv";

    public const string MapFile = "map.tsv";

    public static async Task Send(ExportedJob job, bool withTensors, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation)
    {
        var metadata = new StringBuilder("id\tlabel\n");
        if (withTensors)
        {
            var tensors = new ChunkedFile(TensorsFile, stream, cancellation);
            await foreach (var (block, first, count) in job.Embeddings())
                for (var i = 0; i < count; i++)
                {
                    AppendRow(tensors.Text, block.Rows.Slice(i * block.Dimensions, block.Dimensions));
                    await tensors.FlushIfFull();
                    metadata.Append(job.Map.Ids[first + i]).Append('\t').Append(block.Labels[i]).Append('\n');
                }
            await tensors.Close();
        }
        else
        {
            await foreach (var (ids, labels, _, count) in job.Labels())
                for (var i = 0; i < count; i++)
                    metadata.Append(ids[i]).Append('\t').AppendJoin(',', labels[i]).Append('\n');
        }

        await ChunkedFile.Send(MetadataFile, Encoding.UTF8.GetBytes(metadata.ToString()), stream, cancellation);

        var map = new ChunkedFile(MapFile, stream, cancellation);
        var dimensions = job.Map.Dimensions;
        for (var point = 0; point < job.Points; point++)
        {
            AppendRow(map.Text, job.Map.Coordinates.Slice(point * dimensions, dimensions));
            await map.FlushIfFull();
        }
        await map.Close();
    }

    /// <summary>One row of tab-separated floats that read back bit for bit.</summary>
    private static void AppendRow(StringBuilder text, ReadOnlySpan<float> values)
    {
        for (var d = 0; d < values.Length; d++)
        {
            if (d > 0) text.Append('\t');
            text.Append(values[d].ToString("R", CultureInfo.InvariantCulture));
        }
        text.Append('\n');
    }
}
