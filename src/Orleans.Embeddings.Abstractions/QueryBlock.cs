namespace Orleans.Embeddings;

/// <summary>
/// Query vectors as one block of row-major float32 bytes (Orleans would write a float[] a value at a time), with
/// for each query the id of an image to leave out of its neighbours (its own, for a query by id) or null.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueryBlock(
    [property: Id(0)] byte[] Vectors,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] string?[] Exclude)
{
    public int Count => Exclude.Length;

    public static QueryBlock From(ReadOnlySpan<float> vectors, int dimensions, string?[] exclude) =>
        new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vectors).ToArray(), dimensions, exclude);

    /// <summary>A copy of the vectors as floats.</summary>
    public float[] ToFloats() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Vectors).ToArray();
}
