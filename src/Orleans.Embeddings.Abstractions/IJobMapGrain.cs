namespace Orleans.Embeddings;

/// <summary>
/// A completed t-SNE job's map held for serving, keyed by the job id: pages of it, and exact nearest neighbours
/// on it (a k-d tree). One copy per silo that is asked; a completed map never changes.
/// </summary>
public interface IJobMapGrain : IGrainWithStringKey
{
    /// <summary>Points [offset, offset + count) of the map, clipped to its end.</summary>
    Task<TsneMapPage> GetPage(int offset, int count);

    /// <summary>
    /// The k nearest points of each query on the map of <paramref name="collection"/>'s images: a query by id
    /// stands at that image's place on the map, a query by vector is a point of the map's space. Exact, from a
    /// k-d tree over the map.
    /// </summary>
    [ResponseTimeout("00:02:00")]
    Task<NearestMatch[][]> Search(string collection, NearestQuery[] queries, NearestOptions options);

    /// <summary>Every point's k nearest points on the map (itself left out), with the images' ids and labels.</summary>
    [ResponseTimeout("00:10:00")]
    Task<MapNeighborRows> NeighborRows(string collection, int k);
}
