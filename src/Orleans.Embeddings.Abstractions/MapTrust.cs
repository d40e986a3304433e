namespace Orleans.Embeddings;

/// <summary>
/// How far a job's map can be trusted: for each image, the share of its k nearest neighbours in the embedding space
/// that are also among its k nearest on the map (1: the map keeps its neighbourhood; 0: it tears it apart).
/// </summary>
/// <param name="Histogram">Entry j: images with exactly j of their k neighbours kept (k + 1 entries).</param>
[GenerateSerializer, Immutable]
public sealed record MapTrustSummary(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Points,
    [property: Id(2)] int K,
    [property: Id(3)] double Mean,
    [property: Id(4)] float Median,
    [property: Id(5)] float P10,
    [property: Id(6)] float P90,
    [property: Id(7)] int[] Histogram);

/// <summary>One image's trust, with its row on the map and its labels.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageTrust(
    [property: Id(0)] string Id,
    [property: Id(1)] int Row,
    [property: Id(2)] float Trust,
    [property: Id(3)] string[] Labels);
