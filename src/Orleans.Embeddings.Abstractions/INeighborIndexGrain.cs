namespace Orleans.Embeddings;

/// <summary>
/// One partition of a collection's approximate nearest-neighbour index in one metric, keyed
/// "collection/index key/metric/partition" (<see cref="SearchLayout.PartitionKey"/>): an HNSW graph over the
/// embeddings of a contiguous range of the collection's members. Every call carries the partition's spec with the
/// collection's current size, and the partition takes in the members it has not seen before it answers, so the
/// index follows ingestion without being rebuilt. It saves itself to grain storage and is loaded from there, or
/// rebuilt from the images' stored embeddings, after a restart: no embedding provider is asked again.
/// </summary>
public interface INeighborIndexGrain : IGrainWithStringKey
{
    /// <summary>The k nearest members of this partition to each query of the block, nearest first.</summary>
    [ResponseTimeout("00:05:00")]
    Task<NearestMatch[][]> Search(IndexPartitionSpec spec, QueryBlock queries, NearestOptions options);

    /// <summary>The partition's state; with <paramref name="build"/>, after taking in every member of the spec.</summary>
    [ResponseTimeout("00:30:00")]
    Task<IndexPartitionInfo> Describe(IndexPartitionSpec spec, bool build);

    /// <summary>
    /// The stored vectors of the partition's rows [from, from + count) that have one, as a block whose excluded ids
    /// are the rows' own ids: queries for "the neighbours of each of these images".
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<QueryBlock> GetRows(IndexPartitionSpec spec, int from, int count);

    /// <summary>Takes in new members in the background (the collection calls it after every append).</summary>
    [Orleans.Concurrency.OneWay]
    Task Follow(IndexPartitionSpec spec);

    /// <summary>Marks images whose description changed, to be read again before the next search.</summary>
    Task Refresh(string[] ids);

    /// <summary>Forgets the partition and its saved snapshot.</summary>
    [ResponseTimeout("00:05:00")]
    Task Clear();
}
