using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne;

/// <summary>
/// The shards of a run in this process: every step is a call on a <see cref="TsneShard"/>, every exchange an array
/// handed over, and the whole map of an iteration one replica shared by all shards (which builds the repulsion
/// field once for them). Steps run one shard after another, each using the run's threads.
/// </summary>
public sealed class LocalShards : ITsneShards
{
    private readonly TsneShard[] shards;
    private readonly RandomProjectionForest?[] forests;
    private readonly AffinityEntry[][][] outgoing;
    private readonly LocalCheckpoints checkpoints;
    private readonly int outputDimensions;
    private MapReplica? replica;

    /// <param name="checkpoints">Where the shards' checkpoints are kept, so that a new set of shards can resume from them.</param>
    public LocalShards(ReadOnlyMemory<float> data, int dimensions, TsneOptions options, int shardCount, LocalCheckpoints? checkpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pointCount = data.Length / dimensions;
        Layout = ShardLayout.Split(pointCount, shardCount);
        shards = [.. Enumerable.Range(0, Layout.ShardCount).Select(s => new TsneShard(
            Layout.Start(s), data.Slice(Layout.Start(s) * dimensions, Layout.Count(s) * dimensions), dimensions, pointCount, options))];
        forests = new RandomProjectionForest?[shards.Length];
        outgoing = new AffinityEntry[shards.Length][][];
        this.checkpoints = checkpoints ?? new LocalCheckpoints();
        outputDimensions = options.OutputDimensions;
    }

    public ShardLayout Layout { get; }

    /// <summary>The whole map as the shards hold it now, row-major.</summary>
    public float[] Map() => Gather(new float[Layout.PointCount * outputDimensions]);

    public Task<double> MaxAbsolute(int shard, CancellationToken cancellation) => Task.FromResult(shards[shard].MaxAbsolute());

    public Task<PcaSums> ComputePcaSums(int shard, double maxAbsolute, CancellationToken cancellation) =>
        Task.FromResult(shards[shard].ComputePcaSums(maxAbsolute));

    public Task ApplyPca(int shard, PcaModel model, int reduceTo, int searchDimensions, CancellationToken cancellation) =>
        Run(() => shards[shard].ApplyPca(model, reduceTo, searchDimensions));

    public Task BeginNeighborSearch(int shard, int candidates, CancellationToken cancellation) =>
        Run(() => shards[shard].BeginNeighborSearch(candidates));

    public Task OfferExactCandidates(int query, int owner, CancellationToken cancellation) =>
        Run(() => shards[query].OfferCandidates(shards[owner].SearchRows, shards[owner].Start));

    public Task BuildIndex(int shard, int candidates, CancellationToken cancellation) =>
        Run(() => forests[shard] = shards[shard].BuildForest(candidates));

    public Task OfferIndexCandidates(int query, int owner, CancellationToken cancellation) =>
        Run(() => shards[query].OfferCandidates(forests[owner] ?? throw new InvalidOperationException($"Shard {owner} has no forest."), shards[owner].SearchRows));

    public Task BeginRefinement(int shard, int k, CancellationToken cancellation) => Run(() => shards[shard].BeginRefinement(k));

    public Task Refine(int query, int owner, CancellationToken cancellation) =>
        Run(() => shards[query].RefineWith(shards[owner].InputRows, shards[owner].Start));

    public Task EndNeighborSearch(int shard, CancellationToken cancellation) => Run(() =>
    {
        shards[shard].EndNeighborSearch();
        forests[shard] = null;
    });

    public Task SendAffinities(int shard, CancellationToken cancellation) =>
        Run(() => outgoing[shard] = shards[shard].CalibrateAffinities(Layout));

    public Task<double> AssembleAffinities(int shard, CancellationToken cancellation)
    {
        // The entries are let go as they are taken, so that they and the assembled rows are not all held at once.
        var received = outgoing.Select(from => from[shard]).ToArray();
        foreach (var from in outgoing) from[shard] = null!;
        return Task.FromResult(shards[shard].AcceptAffinities(received).EntropyTerm);
    }

    public Task<MapBounds> StartOptimization(int shard, PcaModel? model, int? resumeIteration, CancellationToken cancellation)
    {
        if (resumeIteration is not { } iteration) return Task.FromResult(shards[shard].StartOptimization(model));
        if (!checkpoints.TryGet(shard, iteration, out var saved))
            throw new InvalidOperationException($"Shard {shard} has no checkpoint of iteration {iteration}.");
        return Task.FromResult(shards[shard].ResumeOptimization((float[])saved.Rows.Clone(), saved.State.Clone()));
    }

    public Task<ShardMeasurement> Measure(int shard, IterationPlan plan, CancellationToken cancellation)
    {
        // Every shard stepped before this iteration began, so the first shard to measure gathers the map for all,
        // into the previous iteration's array, which nobody reads any more.
        if (replica?.Iteration != plan.Iteration)
            replica = new MapReplica(plan.Iteration, Gather(replica?.Coordinates ?? new float[Layout.PointCount * outputDimensions]), outputDimensions, replica);
        return Task.FromResult(shards[shard].Measure(plan, replica));
    }

    public Task<ShardStep> Step(int shard, StepPlan plan, CancellationToken cancellation) => Task.FromResult(shards[shard].Step(plan));

    public Task SaveCheckpoint(int shard, int iteration, CancellationToken cancellation) =>
        Run(() => checkpoints.Save(shard, iteration, (float[])shards[shard].Positions.Clone(), shards[shard].Descent.Clone()));

    public Task SaveResult(int shard, CancellationToken cancellation) => Task.CompletedTask;

    private float[] Gather(float[] map)
    {
        foreach (var shard in shards) shard.Positions.CopyTo(map, shard.Start * outputDimensions);
        return map;
    }

    private static Task Run(Action step)
    {
        step();
        return Task.CompletedTask;
    }
}
