namespace Orleans.Embeddings;

/// <summary>
/// The trust of a completed job's map (<see cref="MapTrustSummary"/>), keyed "job/collection/metric/k/ef": for
/// every point, its k nearest neighbours in the collection's embedding space (from the index, among the map's
/// images) against its k nearest on the map. Computed once per activation, on first request.
/// </summary>
public interface IMapTrustGrain : IGrainWithStringKey
{
    [ResponseTimeout("00:30:00")]
    Task<MapTrustSummary> GetSummary();

    /// <summary>Images [offset, offset + limit) in map order, or from the least trusted on.</summary>
    [ResponseTimeout("00:30:00")]
    Task<ImageTrust[]> GetPage(int offset, int limit, bool leastTrustedFirst);

    /// <summary>The trust of these images of the map.</summary>
    [ResponseTimeout("00:30:00")]
    Task<ImageTrust[]> GetImages(string[] ids);
}
