namespace Orleans.Embeddings;

/// <summary>
/// Exact nearest neighbours in a collection's embedding space, keyed by the collection's name. A stateless worker:
/// it resolves the queries, asks every membership shard for its own k best and merges them.
/// </summary>
public interface INeighborSearchGrain : IGrainWithStringKey
{
    /// <summary>
    /// The k nearest images of each query, nearest first (ties in collection order). The first search of a
    /// collection embeds whatever is not embedded yet, hence the long timeout.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<NearestMatch[][]> Search(NearestQuery[] queries, NearestOptions options);
}
