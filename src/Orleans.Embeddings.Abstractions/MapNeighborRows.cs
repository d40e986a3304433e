namespace Orleans.Embeddings;

/// <summary>
/// Every point of a map with its k nearest points on the map (rows, nearest first, row-major N x k; -1 pads a list
/// when the map has k points or fewer), and each point's image id and labels.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MapNeighborRows(
    [property: Id(0)] string[] Ids,
    [property: Id(1)] string[][] Labels,
    [property: Id(2)] int K,
    [property: Id(3)] int[] Rows);
