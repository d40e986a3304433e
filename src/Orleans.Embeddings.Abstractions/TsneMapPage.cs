namespace Orleans.Embeddings;

/// <summary>
/// A run of points of a completed map: their ids and coordinates (Ids.Length x Dimensions, row-major, as
/// little-endian float32 bytes).
/// </summary>
/// <param name="Total">Points in the whole map.</param>
[GenerateSerializer, Immutable]
public sealed record TsneMapPage(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] int Total,
    [property: Id(3)] int Offset,
    [property: Id(4)] string[] Ids,
    [property: Id(5)] byte[] CoordinateBytes,
    [property: Id(6)] double KlDivergence)
{
    public ReadOnlySpan<float> Coordinates => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(CoordinateBytes);
}

/// <summary>A running job's map as it was at the start of an iteration (little-endian float32, points x dimensions).</summary>
[GenerateSerializer, Immutable]
public sealed record TsneMapSnapshot(
    [property: Id(0)] int Iteration,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] byte[] CoordinateBytes)
{
    public ReadOnlySpan<float> Coordinates => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(CoordinateBytes);
}
