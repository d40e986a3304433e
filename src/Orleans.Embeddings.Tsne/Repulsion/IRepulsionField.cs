namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The repulsive half of the t-SNE gradient, summarised from the whole map once per iteration so that any shard
/// can evaluate it for its own rows. With the heavy-tailed kernel w_ij = (1 + |y_i - y_j|^2 / a)^-a
/// (a = degrees of freedom, 1 for standard t-SNE) a shard needs, for each of its rows i:
/// the unnormalised repulsive force  sum_j w_ij^((a+1)/a) (y_i - y_j)  and the row's share of the normaliser
/// Z = sum_i sum_{j != i} w_ij. The coordinator sums the shares in row order, so Z does not depend on sharding.
/// </summary>
public interface IRepulsionField
{
    /// <summary>Output dimensions of the map the field was built from (1 to 3).</summary>
    int Dimensions { get; }

    /// <summary>
    /// Evaluates the field for the map rows starting at <paramref name="start"/>: one row per
    /// <c>forces.Length / Dimensions</c> (row-major) and one normaliser share per row in <paramref name="z"/>.
    /// Safe to call from several threads at once on disjoint rows.
    /// </summary>
    void Evaluate(int start, Span<float> forces, Span<double> z);
}
