using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>Which rows a partition owns and where it reads them from.</summary>
[GenerateSerializer, Immutable]
public sealed record PartitionAssignment(
    [property: Id(0)] string JobId,
    [property: Id(1)] string Collection,
    [property: Id(2)] TsneParameters Parameters,
    [property: Id(3)] int Index,
    [property: Id(4)] int[] ShardStarts,
    [property: Id(5)] int Dimensions,
    [property: Id(6)] int Epoch)
{
    public int Start => ShardStarts[Index];

    public int Count => ShardStarts[Index + 1] - ShardStarts[Index];

    public int PointCount => ShardStarts[^1];
}

/// <summary>Affinity entries on the wire: one block of bytes, 12 an entry (row, column, value).</summary>
[GenerateSerializer, Immutable]
public sealed record AffinityBatch([property: Id(0)] byte[] Entries)
{
    public static AffinityBatch From(ReadOnlySpan<AffinityEntry> entries) => new(PackedFloats.Pack(entries));

    public AffinityEntry[] ToEntries() => PackedFloats.Unpack<AffinityEntry>(Entries);
}

/// <summary>
/// The repulsion on a slice of a partition's rows, as the silo that builds its machine's field evaluated them: each
/// row's force, row-major, and the slice's share of Z per chunk of rows.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RepulsionSlice([property: Id(0)] PackedFloats Forces, [property: Id(1)] double[] ZChunks);

/// <summary>Which rows another partition should hand over.</summary>
public enum PartitionRows
{
    /// <summary>The rows candidate neighbours are searched in.</summary>
    Search,
    /// <summary>The rows whose exact distances rank the neighbours.</summary>
    Input,
}

/// <summary>
/// Where a started step of a partition stands: finished (with its value) or still running. A long step is started by
/// its first call and joined by every later call with the same arguments; each call waits at most a fraction of the
/// response timeout, so no call outlives it however long the step takes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StepProgress<T>([property: Id(0)] bool Done, [property: Id(1)] T? Value)
{
    public static StepProgress<T> Running { get; } = new(false, default);
}

/// <summary>
/// One shard of a t-SNE job's points, keyed "job/epoch/index", running the engine's shard steps
/// (<see cref="Tsne.TsneShard"/>) for its rows, which it owns through the iterations: positions, velocities and gains.
/// Partitions hand rows and affinities to each other directly; the coordinator sends only per-phase messages and,
/// each iteration, O(grid) ones. Every step that may take long answers with <see cref="StepProgress{T}"/>.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>Reads the partition's embeddings from the collection's membership shards.</summary>
    Task<StepProgress<bool>> Load(PartitionAssignment assignment);

    Task<StepProgress<double>> MaxAbsolute();

    Task<StepProgress<PcaSums>> ComputePcaSums(double maxAbsolute);

    /// <summary>Applies the job's PCA: a reduction of the input, a projection for the candidate search, or both.</summary>
    Task<StepProgress<bool>> ApplyPca(PcaModel model, int reduceTo, int searchDimensions);

    Task<StepProgress<bool>> BeginNeighborSearch(int candidates);

    /// <summary>A slice of this partition's rows (row-major), for another partition's search.</summary>
    Task<PackedFloats> GetRows(PartitionRows kind, int offset, int count);

    /// <summary>Fetches the owner partition's search rows and offers them to this partition's rows.</summary>
    Task<StepProgress<bool>> OfferCandidatesFrom(int owner);

    /// <summary>Grows the random-projection forest of this partition's search rows for the other partitions' queries, k neighbours each.</summary>
    Task<StepProgress<bool>> BuildIndex(int k);

    /// <summary>One tree of this partition's forest, for another partition's queries; null past the last.</summary>
    Task<RandomProjectionTree?> GetForestTree(int tree);

    /// <summary>Fetches the owner partition's search rows and forest, and offers this partition's rows their leaves.</summary>
    Task<StepProgress<bool>> OfferIndexCandidatesFrom(int owner);

    Task<StepProgress<bool>> BeginRefinement(int k);

    /// <summary>Fetches the owner partition's input rows and measures the candidates among them.</summary>
    Task<StepProgress<bool>> RefineFrom(int owner);

    Task<StepProgress<bool>> EndNeighborSearch();

    /// <summary>Calibrates this partition's rows and sends each partition its share of the entries.</summary>
    Task<StepProgress<bool>> SendAffinities();

    /// <summary>One slice of the entries of P that partition <paramref name="fromPartition"/> computed for this one's rows.</summary>
    Task ReceiveAffinities(int fromPartition, AffinityBatch entries);

    /// <summary>Adds up what every partition sent into this partition's rows of P; returns its sum p log p.</summary>
    Task<StepProgress<double>> AssembleAffinities();

    /// <summary>
    /// Places the partition's rows at their starting coordinates, or restores them and the optimiser state from the
    /// checkpoint of <paramref name="resumeIteration"/> kept in <paramref name="slot"/>.
    /// </summary>
    Task<StepProgress<MapBounds>> StartOptimization(PcaModel? model, int? resumeIteration, int slot);

    /// <summary>The first half of an iteration, from the silo's replica of the whole map.</summary>
    Task<StepProgress<ShardMeasurement>> Measure(IterationPlan plan);

    /// <summary>The second half: the repulsion on this partition's rows, the gradient and the step.</summary>
    Task<StepProgress<ShardStep>> Step(StepPlan plan);

    /// <summary>
    /// The repulsion on rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="count"/> of
    /// the plan's map, another partition's on a silo of the same machine, from the field this partition's silo builds
    /// for the machine.
    /// </summary>
    Task<RepulsionSlice> EvaluateRepulsion(IterationPlan plan, int firstRow, int count);

    /// <summary>This partition's rows of the map after <paramref name="iteration"/> steps, or as they are now (null).</summary>
    Task<PackedFloats> GetPositions(int? iteration);

    /// <summary>Writes the rows and optimiser state after <paramref name="iteration"/> steps to <paramref name="slot"/>.</summary>
    Task<StepProgress<bool>> SaveCheckpoint(int iteration, int slot);

    /// <summary>Writes the rows as this partition's piece of the finished map.</summary>
    Task<StepProgress<bool>> SaveResult();

    /// <summary>The job is done with this partition.</summary>
    Task Release();
}
