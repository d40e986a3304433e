namespace Orleans.Embeddings;

/// <summary>
/// Nearest neighbours in a collection's embedding space, keyed by the collection's name. A stateless worker: it
/// resolves the queries, sends them in one block to every partition of the collection's index (one call each)
/// and merges the partitions' k best.
/// </summary>
public interface INeighborSearchGrain : IGrainWithStringKey
{
    /// <summary>
    /// The k nearest images of each query, nearest first. The first search of a collection builds its index
    /// (embedding whatever is not embedded yet), hence the long timeout.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<NearestMatch[][]> Search(NearestQuery[] queries, NearestOptions options);

    /// <summary>The k nearest images of each query vector of the block, leaving out the block's excluded ids.</summary>
    [ResponseTimeout("00:05:00")]
    Task<NearestMatch[][]> SearchBlock(QueryBlock queries, NearestOptions options);

    /// <summary>For each query, the labels of its k nearest images with the share of them behind each label.</summary>
    [ResponseTimeout("00:05:00")]
    Task<LabelSuggestion[]> SuggestLabels(NearestQuery[] queries, NearestOptions options);

    /// <summary>The index in one metric, partition by partition; with <paramref name="build"/>, brought up to date first.</summary>
    [ResponseTimeout("00:30:00")]
    Task<NeighborIndexInfo> DescribeIndex(NeighborMetric metric, bool build);
}
