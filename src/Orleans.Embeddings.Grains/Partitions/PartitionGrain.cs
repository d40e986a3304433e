using Orleans.Concurrency;
using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// Runs a <see cref="TsneShard"/> inside a grain. Its state is derived (the embeddings are in image grains, every
/// step is deterministic), so it is not persisted: a coordinator that loses a partition rebuilds all of them.
/// Every step that computes runs on the thread pool, off the grain's turn, so the silo's scheduler stays free.
/// Reentrant: another partition may fetch this one's rows while it is itself fetching someone else's.
/// </summary>
[Reentrant]
[PartitionPlacement]
public sealed class PartitionGrain : Grain, IPartitionGrain
{
    /// <summary>Largest slice of rows one message carries, so that no message nears Orleans' size limit.</summary>
    private const int SliceBytes = 16 << 20;

    private PartitionAssignment? assignment;
    private TsneShard? shard;
    private TsneOptions? options;
    private HnswShardIndex? index;
    private float[]? map;
    private readonly List<AffinityEntry[]> received = [];

    // A partition reactivated on another silo after its silo died has lost its rows; the coordinator starts over.
    private TsneShard Shard => shard ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    private PartitionAssignment Assignment => assignment ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    private TsneOptions Options => options ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    public async Task Load(PartitionAssignment assignment)
    {
        this.assignment = assignment;
        options = assignment.Parameters.ToOptions();
        var rows = new float[assignment.Count * assignment.Dimensions];
        var first = assignment.Start / ICollectionGrain.MembershipShardSize;
        var last = (assignment.Start + assignment.Count - 1) / ICollectionGrain.MembershipShardSize;
        for (var m = first; m <= last; m++)
        {
            var block = await GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(assignment.Collection, m)).GetEmbeddings();
            if (block.Failures.Length > 0)
                throw new InvalidOperationException($"Collection '{assignment.Collection}' has images without embeddings: {string.Join("; ", block.Failures.Take(3))}");
            if (block.Dimensions != assignment.Dimensions)
                throw new InvalidOperationException($"Membership shard {m} has {block.Dimensions}-dimensional embeddings; the job expects {assignment.Dimensions}.");
            var blockStart = m * ICollectionGrain.MembershipShardSize;
            var from = Math.Max(assignment.Start, blockStart);
            var to = Math.Min(assignment.Start + assignment.Count, blockStart + block.Ids.Length);
            block.Rows.Slice((from - blockStart) * block.Dimensions, (to - from) * block.Dimensions)
                .CopyTo(rows.AsSpan((from - assignment.Start) * assignment.Dimensions));
        }
        shard = await Task.Run(() => new TsneShard(assignment.Start, rows, assignment.Dimensions, assignment.PointCount, options));
    }

    public Task<double> MaxAbsolute() => Task.Run(() => Shard.MaxAbsolute());

    public Task<PcaSums> ComputePcaSums(double maxAbsolute) => Task.Run(() => Shard.ComputePcaSums(maxAbsolute));

    public Task ApplyPca(PcaModel model, int reduceTo, int searchDimensions) => Task.Run(() =>
    {
        if (reduceTo > 0) Shard.ReduceDimensions(model.Truncate(reduceTo));
        if (searchDimensions > 0) Shard.ProjectForSearch(model.Truncate(searchDimensions));
    });

    public Task BeginNeighborSearch(int candidates)
    {
        Shard.BeginNeighborSearch(candidates);
        return Task.CompletedTask;
    }

    public Task<PackedFloats> GetRows(PartitionRows kind, int offset, int count)
    {
        var (rows, dimensions) = kind == PartitionRows.Search ? (Shard.SearchRows, Shard.SearchDimensions) : (Shard.InputRows, Shard.Dimensions);
        return Task.FromResult(PackedFloats.From(rows.Span.Slice(offset * dimensions, count * dimensions)));
    }

    public async Task OfferCandidatesFrom(IPartitionGrain other, int start, int count)
    {
        await foreach (var (offset, rows) in Slices(other, PartitionRows.Search, count, Shard.SearchDimensions))
            await Task.Run(() => Shard.OfferCandidates(rows, start + offset));
    }

    public async Task BuildIndex(int k)
    {
        var loaded = Shard;
        index = await Task.Run(() => loaded.BuildIndex(k));
    }

    public Task<NeighborCandidates> SearchIndex(PackedFloats queries)
    {
        var built = index ?? throw new PartitionLostException(this.GetPrimaryKeyString());
        return Task.Run(() => built.Search(queries.ToArray(), Options.Parallelism));
    }

    public async Task OfferIndexCandidatesFrom(IPartitionGrain owner)
    {
        var (loaded, dimensions) = (Shard, Shard.SearchDimensions);
        for (var first = 0; first < loaded.Count; first += HnswShardIndex.QueryBlockRows)
        {
            var rows = Math.Min(HnswShardIndex.QueryBlockRows, loaded.Count - first);
            var queries = PackedFloats.From(loaded.SearchRows.Span.Slice(first * dimensions, rows * dimensions));
            var candidates = await owner.SearchIndex(queries);
            var offset = first;
            await Task.Run(() => loaded.OfferCandidates(candidates, offset));
        }
    }

    public Task BeginRefinement(int k)
    {
        Shard.BeginRefinement(k);
        return Task.CompletedTask;
    }

    public async Task RefineFrom(IPartitionGrain other, int start, int count)
    {
        await foreach (var (offset, rows) in Slices(other, PartitionRows.Input, count, Shard.Dimensions))
            await Task.Run(() => Shard.RefineWith(rows, start + offset));
    }

    public Task EndNeighborSearch() => Task.Run(() =>
    {
        Shard.EndNeighborSearch();
        DisposeIndex();
    });

    public async Task SendAffinities(IPartitionGrain[] partitions)
    {
        var layout = Layout;
        var outgoing = await Task.Run(() => Shard.CalibrateAffinities(layout));
        var index = Assignment.Index;
        await Task.WhenAll(partitions.Select((partition, t) => partition.ReceiveAffinities(index, AffinityBatch.From(outgoing[t]))));
    }

    public Task ReceiveAffinities(int fromPartition, AffinityBatch entries)
    {
        var batch = entries.ToEntries();
        lock (received) received.Add(batch);
        return Task.CompletedTask;
    }

    public async Task<double> AssembleAffinities()
    {
        AffinityEntry[][] batches;
        lock (received) batches = [.. received];
        var affinities = await Task.Run(() => Shard.AcceptAffinities(batches));
        received.Clear();
        return affinities.EntropyTerm;
    }

    public Task<float[]> InitialRows(PcaModel? model) => Task.Run(() => Shard.InitialRows(model));

    public Task<ShardAttraction> ComputeAttraction(PackedFloats coordinates, bool withKlTerm)
    {
        var loaded = Shard;
        // The map and the forces live in buffers reused every iteration (the map is hundreds of kilobytes, a
        // large-object allocation otherwise). Orleans sends (or, within the silo, hands over) the forces before the
        // coordinator can ask for the next iteration.
        map ??= new float[loaded.PointCount * Options.OutputDimensions];
        coordinates.CopyTo(map);
        var current = map;
        return Task.Run(() => loaded.ComputeAttraction(current, withKlTerm));
    }

    public Task Release()
    {
        DisposeIndex();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DisposeIndex();
        return Task.CompletedTask;
    }

    // The index holds native memory; it serves only the neighbour search.
    private void DisposeIndex()
    {
        index?.Dispose();
        index = null;
    }

    private ShardLayout Layout => ShardLayout.FromStarts(Assignment.ShardStarts);

    private static async IAsyncEnumerable<(int Offset, float[] Rows)> Slices(IPartitionGrain other, PartitionRows kind, int count, int dimensions)
    {
        var rowsPerSlice = Math.Max(1, SliceBytes / (dimensions * sizeof(float)));
        for (var offset = 0; offset < count; offset += rowsPerSlice)
            yield return (offset, (await other.GetRows(kind, offset, Math.Min(rowsPerSlice, count - offset))).ToArray());
    }
}
