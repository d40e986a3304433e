namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// The k nearest neighbours of a shard's rows: for local row r, global indices in Indices[r*K .. r*K+K) and
/// squared distances (Euclidean, or of unit-length rows for cosine) in the same places, nearest first,
/// ties broken by the lower index.
/// </summary>
public sealed record NeighborGraph(int Start, int Count, int K, int[] Indices, float[] SquaredDistances)
{
    public ReadOnlySpan<int> IndicesOf(int localRow) => Indices.AsSpan(localRow * K, K);

    public ReadOnlySpan<float> DistancesOf(int localRow) => SquaredDistances.AsSpan(localRow * K, K);
}
