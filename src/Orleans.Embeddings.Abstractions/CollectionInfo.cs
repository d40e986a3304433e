namespace Orleans.Embeddings;

/// <summary>A collection's settings, fixed when it is created.</summary>
/// <param name="Provider">The embedding provider its images use: pixels, vectors or clarifai.</param>
/// <param name="Dimensions">Embedding dimensions, or 0 to take them from the first embedded image.</param>
[GenerateSerializer, Immutable]
public sealed record CollectionSpec(
    [property: Id(0)] string Provider,
    [property: Id(1)] int Dimensions = 0);

/// <summary>A collection as its grain reports it.</summary>
[GenerateSerializer, Immutable]
public sealed record CollectionInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Provider,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] int Count,
    [property: Id(4)] int MembershipShards,
    [property: Id(5)] bool Exists);

/// <summary>
/// The embeddings of one membership shard's images, in membership order. The rows travel as little-endian float32
/// bytes in one block (Orleans would write a float[] element by element, 5 bytes a value).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EmbeddingBlock(
    [property: Id(0)] string[] Ids,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] byte[] RowBytes,
    [property: Id(3)] string[] Labels,
    [property: Id(4)] string[] Failures)
{
    /// <summary>Row-major embeddings, Ids.Length x Dimensions.</summary>
    public ReadOnlySpan<float> Rows => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(RowBytes);

    public static EmbeddingBlock FromRows(string[] ids, int dimensions, ReadOnlySpan<float> rows, string[] labels, string[] failures) =>
        new(ids, dimensions, System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows).ToArray(), labels, failures);
}

/// <summary>How many of a membership shard's images are embedded, their dimensions, and why any failed.</summary>
[GenerateSerializer, Immutable]
public sealed record EmbeddingSummary(
    [property: Id(0)] int Count,
    [property: Id(1)] int Embedded,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] string[] Failures);
