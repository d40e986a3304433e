using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>
/// A completed job as files for TensorBoard's Embedding Projector: tensors.tsv (the embeddings), metadata.tsv (ids
/// and labels) and map.tsv (the job's map), all in the order the job numbered the points.
/// </summary>
public sealed class ExportService(IGrainFactory grains) : Export.ExportBase
{
    public const string TensorsFile = "tensors.tsv";

    public const string MetadataFile = "metadata.tsv";

    public const string MapFile = "map.tsv";

    /// <summary>Largest chunk of a file in one message.</summary>
    public const int ChunkBytes = 1 << 20;

    public override async Task ExportJob(ExportRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        var status = await grains.GetGrain<ITsneJobGrain>(jobId).GetStatus();
        if (status.State == TsneJobState.None) throw Problems.NotFound("job_id", $"job '{jobId}' does not exist");
        if (status.State != TsneJobState.Completed)
            throw Problems.Precondition("job_id", $"job '{jobId}' is {status.State.ToString().ToLowerInvariant()}; only a completed job can be exported");
        var collection = (await grains.GetGrain<ITsneJobRegistryGrain>(0).GetCollections()).GetValueOrDefault(jobId)
            ?? throw Problems.Precondition("job_id", $"job '{jobId}' was not started through a gateway, so its collection is not recorded");

        var map = await grains.GetGrain<IJobMapGrain>(jobId).GetPage(0, int.MaxValue);
        var info = await grains.GetGrain<ICollectionGrain>(collection).GetInfo();
        if (!info.Exists) throw Problems.Precondition("job_id", $"collection '{collection}' of job '{jobId}' no longer exists");

        var cancellation = context.CancellationToken;
        var tensors = new FileWriter(TensorsFile, responseStream, cancellation);
        var metadata = new StringBuilder("id\tlabel\n");
        var row = 0;
        for (var shard = 0; row < map.Ids.Length && shard < info.MembershipShards; shard++)
        {
            // Membership shards are keyed "collection/shard" (ICollectionShardGrain).
            var block = await grains.GetGrain<ICollectionShardGrain>($"{collection}/{shard}").GetEmbeddings();
            if (block.Failures.Length > 0)
                throw Problems.Precondition("job_id", $"collection '{collection}' has images without an embedding now, e.g. {block.Failures[0]}");
            for (var i = 0; i < block.Ids.Length && row < map.Ids.Length; i++, row++)
            {
                if (block.Ids[i] != map.Ids[row])
                    throw Problems.Precondition("job_id", $"collection '{collection}' no longer holds the images job '{jobId}' mapped, in that order");
                tensors.Append(block.Rows.Slice(i * block.Dimensions, block.Dimensions));
                await tensors.FlushIfFull();
                metadata.Append(map.Ids[row]).Append('\t').Append(block.Labels[i]).Append('\n');
            }
        }
        if (row < map.Ids.Length)
            throw Problems.Precondition("job_id", $"collection '{collection}' has fewer images than job '{jobId}' mapped");
        await tensors.Close();

        await FileWriter.Send(MetadataFile, Encoding.UTF8.GetBytes(metadata.ToString()), responseStream, cancellation);

        var mapFile = new FileWriter(MapFile, responseStream, cancellation);
        for (var point = 0; point < map.Ids.Length; point++)
        {
            mapFile.Append(map.Coordinates.Slice(point * map.Dimensions, map.Dimensions));
            await mapFile.FlushIfFull();
        }
        await mapFile.Close();
    }

    /// <summary>One file streamed as chunks of at most <see cref="ChunkBytes"/>; the last carries the flag.</summary>
    private sealed class FileWriter(string name, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation)
    {
        private readonly StringBuilder text = new();

        /// <summary>Adds one row of tab-separated floats that read back bit for bit.</summary>
        public void Append(ReadOnlySpan<float> values)
        {
            for (var d = 0; d < values.Length; d++)
            {
                if (d > 0) text.Append('\t');
                text.Append(values[d].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }

        /// <summary>Sends what has piled up once it nears a chunk (characters are ASCII here, one byte each).</summary>
        public Task FlushIfFull() => text.Length >= ChunkBytes - 64 * 1024 ? Flush(last: false) : Task.CompletedTask;

        public Task Close() => Flush(last: true);

        private async Task Flush(bool last)
        {
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            text.Clear();
            await Send(name, bytes, stream, cancellation, last);
        }

        public static async Task Send(string name, byte[] bytes, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation, bool last = true)
        {
            for (var at = 0; at < bytes.Length || (at == 0 && last); at += ChunkBytes)
            {
                var length = Math.Min(ChunkBytes, bytes.Length - at);
                var final = last && at + length >= bytes.Length;
                await stream.WriteAsync(new ExportChunk { File = name, Data = ByteString.CopyFrom(bytes, at, length), Last = final }, cancellation);
                if (final) return;
            }
        }
    }
}
