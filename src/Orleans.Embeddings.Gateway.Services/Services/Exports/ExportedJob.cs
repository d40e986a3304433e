using Orleans.Embeddings.Gateway.Errors;

namespace Orleans.Embeddings.Gateway.Services.Exports;

/// <summary>
/// A completed job and its collection as an export reads them: the map, and the collection's images in the job's
/// point order, one membership shard at a time, checked against the ids the map holds.
/// </summary>
internal sealed class ExportedJob
{
    private readonly IGrainFactory grains;

    private ExportedJob(IGrainFactory grains, string jobId, string collection, TsneJobStatus status, TsneMapPage map, CollectionInfo info)
    {
        this.grains = grains;
        JobId = jobId;
        Collection = collection;
        Status = status;
        Map = map;
        Info = info;
    }

    public string JobId { get; }

    public string Collection { get; }

    public TsneJobStatus Status { get; }

    /// <summary>The whole map: every point's id and coordinates.</summary>
    public TsneMapPage Map { get; }

    public CollectionInfo Info { get; }

    public int Points => Map.Ids.Length;

    /// <summary>The job, or the gRPC error that says why it cannot be exported.</summary>
    public static async Task<ExportedJob> Load(IGrainFactory grains, string jobId)
    {
        var status = await grains.GetGrain<ITsneJobGrain>(jobId).GetStatus();
        if (status.State == TsneJobState.None) throw Problems.NotFound("job_id", $"job '{jobId}' does not exist");
        if (status.State != TsneJobState.Completed)
            throw Problems.Precondition("job_id", $"job '{jobId}' is {status.State.ToString().ToLowerInvariant()}; only a completed job can be exported");
        var collection = (await grains.GetGrain<ITsneJobRegistryGrain>(0).GetCollections()).GetValueOrDefault(jobId)
            ?? throw Problems.Precondition("job_id", $"job '{jobId}' was not started through a gateway, so its collection is not recorded");
        var map = await grains.GetGrain<IJobMapGrain>(jobId).GetPage(0, int.MaxValue);
        var info = await grains.GetGrain<ICollectionGrain>(collection).GetInfo();
        if (!info.Exists) throw Problems.Precondition("job_id", $"collection '{collection}' of job '{jobId}' no longer exists");
        return new ExportedJob(grains, jobId, collection, status, map, info);
    }

    /// <summary>
    /// The embeddings of the job's points, a membership shard at a time: the block and the index of its first point.
    /// A block may hold more images than the job mapped (images added since); only the first ones up to N count.
    /// </summary>
    public async IAsyncEnumerable<(EmbeddingBlock Block, int FirstPoint, int Count)> Embeddings()
    {
        var point = 0;
        for (var shard = 0; point < Points && shard < Info.MembershipShards; shard++)
        {
            var block = await Shard(shard).GetEmbeddings();
            if (block.Failures.Length > 0)
                throw Problems.Precondition("job_id", $"collection '{Collection}' has images without an embedding now, e.g. {block.Failures[0]}");
            var count = Math.Min(block.Ids.Length, Points - point);
            Check(block.Ids, point, count);
            yield return (block, point, count);
            point += count;
        }
        if (point < Points) throw TooFew();
    }

    /// <summary>The ids and labels of the job's points, a membership shard at a time, without reading any embedding.</summary>
    public async IAsyncEnumerable<(string[] Ids, string[][] Labels, int FirstPoint, int Count)> Labels()
    {
        var point = 0;
        for (var shard = 0; point < Points && shard < Info.MembershipShards; shard++)
        {
            var grain = Shard(shard);
            var ids = await grain.GetIds();
            var count = Math.Min(ids.Length, Points - point);
            Check(ids, point, count);
            yield return (ids, await grain.GetLabels(), point, count);
            point += count;
        }
        if (point < Points) throw TooFew();
    }

    /// <summary>What the images' grains hold about the given ids (labels, metadata, source, thumbnail), in their order.</summary>
    public async Task<ImageInfo[]> Images(ArraySegment<string> ids)
    {
        // Bounded fan-out: a shard has up to 4,096 images, each a grain call carrying a thumbnail.
        const int concurrent = 256;
        var infos = new ImageInfo[ids.Count];
        for (var start = 0; start < ids.Count; start += concurrent)
        {
            var end = Math.Min(ids.Count, start + concurrent);
            var batch = await Task.WhenAll(Enumerable.Range(start, end - start)
                .Select(i => grains.GetGrain<IImageGrain>($"{Collection}/{ids[i]}").GetInfo()));
            batch.CopyTo(infos, start);
        }
        return infos;
    }

    // Membership shards are keyed "collection/shard" (ICollectionShardGrain).
    private ICollectionShardGrain Shard(int shard) => grains.GetGrain<ICollectionShardGrain>($"{Collection}/{shard}");

    private void Check(string[] ids, int firstPoint, int count)
    {
        for (var i = 0; i < count; i++)
            if (ids[i] != Map.Ids[firstPoint + i])
                throw Problems.Precondition("job_id", $"collection '{Collection}' no longer holds the images job '{JobId}' mapped, in that order");
    }

    private Grpc.Core.RpcException TooFew() =>
        Problems.Precondition("job_id", $"collection '{Collection}' has fewer images than job '{JobId}' mapped");
}
