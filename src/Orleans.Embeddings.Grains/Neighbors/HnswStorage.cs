namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// How an <see cref="HnswIndex"/> stores its vectors: float32 as given, or float16, half the memory and half the
/// bytes a search reads (USearch converts on the way in and out), at a small cost in precision.
/// </summary>
public enum HnswStorage
{
    Float32,
    Float16,
}
