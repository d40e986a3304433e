namespace Orleans.Embeddings.Tsne.Affinities;

/// <summary>
/// A shard's rows of the symmetric joint probabilities P in compressed sparse rows: local row r holds columns
/// Columns[RowStarts[r] .. RowStarts[r+1]) in ascending order. <see cref="EntropyTerm"/> is the shard's part of
/// sum p log p, the constant in the KL divergence.
/// </summary>
public sealed record SparseAffinities(int Start, int Count, int[] RowStarts, int[] Columns, float[] Values, double EntropyTerm)
{
    public int NonZeros => Columns.Length;
}
