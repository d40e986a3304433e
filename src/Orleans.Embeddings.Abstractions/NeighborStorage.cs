namespace Orleans.Embeddings;

/// <summary>How an index stores its vectors.</summary>
public enum NeighborStorage
{
    /// <summary>When configuring: keep the current storage.</summary>
    Unspecified,
    /// <summary>As given, 4 bytes a value.</summary>
    Float32,
    /// <summary>
    /// Half precision, 2 bytes a value: half the memory and half the bytes a search reads. Distances, and the ranking
    /// of exact searches, come from the rounded vectors.
    /// </summary>
    Float16,
}
