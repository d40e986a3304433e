using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne.Affinities;
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

/// <summary>Affinity entries on the wire: three parallel arrays, 12 bytes an entry.</summary>
[GenerateSerializer, Immutable]
public sealed record AffinityBatch([property: Id(0)] int[] Rows, [property: Id(1)] int[] Columns, [property: Id(2)] float[] Values)
{
    public static AffinityBatch From(AffinityEntry[] entries) =>
        new(entries.Select(e => e.Row).ToArray(), entries.Select(e => e.Column).ToArray(), entries.Select(e => e.Value).ToArray());

    public AffinityEntry[] ToEntries()
    {
        var entries = new AffinityEntry[Rows.Length];
        for (var i = 0; i < entries.Length; i++) entries[i] = new AffinityEntry(Rows[i], Columns[i], Values[i]);
        return entries;
    }
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

    /// <summary>Fetches another partition's input rows and measures the candidates among them.</summary>
    Task RefineFrom(IPartitionGrain other, int start, int count);

    Task EndNeighborSearch();

    /// <summary>Calibrates this partition's rows and sends each partition its share of the entries.</summary>
    Task SendAffinities(IPartitionGrain[] partitions);

    Task ReceiveAffinities(int fromPartition, AffinityBatch entries);

    /// <summary>Adds up what every partition sent into this partition's rows of P; returns its sum p log p.</summary>
    Task<double> AssembleAffinities();

    Task<float[]> InitialRows(PcaModel? model);

    /// <summary>One iteration's forces on this partition's rows, from the whole map.</summary>
    Task<ShardForces> ComputeForces(PackedFloats map, int iteration, bool withKlTerm);

    /// <summary>The job is done with this partition.</summary>
    Task Release();
}
