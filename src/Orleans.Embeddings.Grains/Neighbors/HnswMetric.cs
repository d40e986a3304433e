namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// The distances an <see cref="HnswIndex"/> ranks by: squared Euclidean, or 1 - dot product, which on vectors scaled
/// to unit length is the cosine distance (and is cheaper than USearch's cosine, which divides by both norms).
/// </summary>
public enum HnswMetric
{
    L2Squared,
    InnerProduct,
}
