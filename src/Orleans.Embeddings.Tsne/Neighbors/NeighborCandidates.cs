namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// What an index found for a block of query rows: <see cref="PerRow"/> slots per row, row-major, each a global row
/// index and its squared distance; slots the index could not fill hold index -1. Plain arrays, so an index that
/// lives on another machine can answer with it.
/// </summary>
public sealed record NeighborCandidates(int PerRow, int[] Indices, float[] SquaredDistances)
{
    public int Rows => PerRow == 0 ? 0 : Indices.Length / PerRow;
}
