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
[GenerateSerializer, Immutable]
public sealed record NearestOptions(
    [property: Id(0)] int K,
    [property: Id(1)] NeighborMetric Metric,
    [property: Id(2)] string[] Labels);

/// <summary>One neighbour: its id, its distance from the query and its labels.</summary>
[GenerateSerializer, Immutable]
public sealed record NearestMatch(
    [property: Id(0)] string Id,
    [property: Id(1)] float Distance,
    [property: Id(2)] string[] Labels);
