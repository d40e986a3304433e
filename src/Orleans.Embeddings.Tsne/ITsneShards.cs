using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne;

/// <summary>
/// The steps of <see cref="TsneShard"/> as <see cref="TsneCoordinator"/> drives them, for every shard of a run,
/// wherever the shards live: in this process (<see cref="LocalShards"/>) or in partition grains across a cluster.
/// A step that needs another shard's rows names that shard (the owner); the port moves the rows. Every step of one
/// shard is awaited before the coordinator depends on it, and steps of different shards may run concurrently.
/// </summary>
public interface ITsneShards
{
    ShardLayout Layout { get; }

    Task<double> MaxAbsolute(int shard, CancellationToken cancellation);

    Task<PcaSums> ComputePcaSums(int shard, double maxAbsolute, CancellationToken cancellation);

    /// <summary><see cref="TsneShard.ApplyPca"/>.</summary>
    Task ApplyPca(int shard, PcaModel model, int reduceTo, int searchDimensions, CancellationToken cancellation);

    Task BeginNeighborSearch(int shard, int candidates, CancellationToken cancellation);

    /// <summary>Offers the owner's search rows to the query shard's rows by exact distance.</summary>
    Task OfferExactCandidates(int query, int owner, CancellationToken cancellation);

    /// <summary>Grows the forest of the shard's search rows (<see cref="Neighbors.RandomProjectionForest"/>) for <paramref name="candidates"/> neighbours a query.</summary>
    Task BuildIndex(int shard, int candidates, CancellationToken cancellation);

    /// <summary>Offers the query shard's rows the owner's search rows in the leaves of the owner's forest they reach.</summary>
    Task OfferIndexCandidates(int query, int owner, CancellationToken cancellation);

    Task BeginRefinement(int shard, int k, CancellationToken cancellation);

    /// <summary>Ranks the query shard's candidates that live in the owner's rows by exact distance.</summary>
    Task Refine(int query, int owner, CancellationToken cancellation);

    Task EndNeighborSearch(int shard, CancellationToken cancellation);

    /// <summary>Calibrates the shard's rows and hands every shard its entries of P.</summary>
    Task SendAffinities(int shard, CancellationToken cancellation);

    /// <summary>Assembles the shard's rows of P from what every shard sent; returns its sum p log p.</summary>
    Task<double> AssembleAffinities(int shard, CancellationToken cancellation);

    /// <summary>
    /// Places the shard's rows at their starting coordinates, or, with <paramref name="resumeIteration"/>, restores
    /// them and the optimiser state from the checkpoint of that iteration. Returns the box around them.
    /// </summary>
    Task<MapBounds> StartOptimization(int shard, PcaModel? model, int? resumeIteration, CancellationToken cancellation);

    /// <summary><see cref="TsneShard.Measure"/>, with the whole map of <see cref="IterationPlan.Iteration"/> as the port holds it.</summary>
    Task<ShardMeasurement> Measure(int shard, IterationPlan plan, CancellationToken cancellation);

    /// <summary><see cref="TsneShard.Step"/>.</summary>
    Task<ShardStep> Step(int shard, StepPlan plan, CancellationToken cancellation);

    /// <summary>Keeps the shard's rows and optimiser state as they are after <paramref name="iteration"/> iterations.</summary>
    Task SaveCheckpoint(int shard, int iteration, CancellationToken cancellation);

    /// <summary>Keeps the shard's final rows as its piece of the finished map.</summary>
    Task SaveResult(int shard, CancellationToken cancellation);
}
