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
    [property: Id(5)] int Dimensions)
{
    public int Start => ShardStarts[Index];

    public int Count => ShardStarts[Index + 1] - ShardStarts[Index];

    public int PointCount => ShardStarts[^1];
}

/// <summary>Affinity entries on the wire: one block of bytes, 12 an entry (row, column, value).</summary>
[GenerateSerializer, Immutable]
public sealed record AffinityBatch([property: Id(0)] byte[] Entries)
{
    public static AffinityBatch From(AffinityEntry[] entries) => new(PackedFloats.Pack<AffinityEntry>(entries));

    public AffinityEntry[] ToEntries() => PackedFloats.Unpack<AffinityEntry>(Entries);
}

/// <summary>Which rows another partition should hand over.</summary>
public enum PartitionRows
{
    /// <summary>The rows candidate neighbours are searched in.</summary>
    Search,
    /// <summary>The rows whose exact distances rank the neighbours.</summary>
    Input,
}

/// <summary>
/// One shard of a t-SNE job's points, keyed "job/epoch/index", running the engine's shard steps
/// (<see cref="Tsne.TsneShard"/>) for its rows. Partitions hand rows and affinities to each other directly;
/// the coordinator only sends the small per-phase messages and, each iteration, the map.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>Reads the partition's embeddings from the collection's membership shards.</summary>
    Task Load(PartitionAssignment assignment);

    Task<double> MaxAbsolute();

    Task<PcaSums> ComputePcaSums(double maxAbsolute);

    /// <summary>Applies the job's PCA: a reduction of the input, a projection for the candidate search, or neither.</summary>
    Task ApplyPca(PcaModel model, int reduceTo, int searchDimensions);

    Task BeginNeighborSearch(int candidates);

    /// <summary>A slice of this partition's rows (row-major), for another partition's search.</summary>
    Task<PackedFloats> GetRows(PartitionRows kind, int offset, int count);

    /// <summary>Fetches another partition's search rows and offers them to this partition's rows.</summary>
    Task OfferCandidatesFrom(IPartitionGrain other, int start, int count);

    Task BeginRefinement(int k);

    /// <summary>Indexes this partition's search rows (HNSW) for the other partitions' queries, k neighbours each.</summary>
    Task BuildIndex(int k);

    /// <summary>What this partition's index finds for a block of another partition's search rows.</summary>
    Task<NeighborCandidates> SearchIndex(PackedFloats queries);

    /// <summary>Queries another partition's index with this partition's search rows and offers what it finds.</summary>
    Task OfferIndexCandidatesFrom(IPartitionGrain owner);

    /// <summary>Fetches another partition's input rows and measures the candidates among them.</summary>
    Task RefineFrom(IPartitionGrain other, int start, int count);

    Task EndNeighborSearch();

    /// <summary>Calibrates this partition's rows and sends each partition its share of the entries.</summary>
    Task SendAffinities(IPartitionGrain[] partitions);

    Task ReceiveAffinities(int fromPartition, AffinityBatch entries);

    /// <summary>Adds up what every partition sent into this partition's rows of P; returns its sum p log p.</summary>
    Task<double> AssembleAffinities();

    Task<float[]> InitialRows(PcaModel? model);

    /// <summary>One iteration's attractive forces on this partition's rows, from the whole map.</summary>
    Task<ShardAttraction> ComputeAttraction(PackedFloats map, bool withKlTerm);

    /// <summary>The job is done with this partition.</summary>
    Task Release();
}
