namespace Orleans.Embeddings;

/// <summary>How neighbours are ranked.</summary>
public enum NeighborMetric
{
    Euclidean,
    /// <summary>1 - cosine similarity.</summary>
    Cosine,
}

/// <summary>One query: an image of the collection (left out of its own neighbours) or a point of the space searched.</summary>
[GenerateSerializer, Immutable]
public sealed record NearestQuery(
    [property: Id(0)] string? Id,
    [property: Id(1)] float[]? Vector)
{
    public static NearestQuery OfId(string id) => new(id, null);

    public static NearestQuery OfVector(float[] vector) => new(null, vector);
}

/// <summary>What every query of a search shares.</summary>
/// <param name="K">Neighbours per query.</param>
/// <param name="Labels">Only images with at least one of these labels qualify; empty: every image.</param>
/// <param name="Ef">
/// Candidates the approximate index keeps while it searches (HNSW's ef; at least k is used): more is slower and
/// more accurate. 0: the collection's default.
/// </param>
/// <param name="Exact">Brute force over every qualifying image instead of the approximate index.</param>
/// <param name="Members">Only the first this many members of the collection qualify (a map's points); 0: all.</param>
[GenerateSerializer, Immutable]
public sealed record NearestOptions(
    [property: Id(0)] int K,
    [property: Id(1)] NeighborMetric Metric,
    [property: Id(2)] string[] Labels,
    [property: Id(3)] int Ef = 0,
    [property: Id(4)] bool Exact = false,
    [property: Id(5)] int Members = 0);

/// <summary>One neighbour: its id, its distance from the query and its labels.</summary>
[GenerateSerializer, Immutable]
public sealed record NearestMatch(
    [property: Id(0)] string Id,
    [property: Id(1)] float Distance,
    [property: Id(2)] string[] Labels);
