using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Grains.Serialization;

/// <summary>
/// Floats as one block of little-endian bytes. Orleans' generated serializers write a float[] field element by
/// element with a tag each (about 5 bytes a float); a byte[] goes as one block of 4 bytes a float, which matters
/// for what crosses the wire every iteration (the map, the FFT grid, the forces). Immutable, so Orleans passes it
/// between grains of one silo without copying.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PackedFloats([property: Id(0)] byte[] Bytes)
{
    public static PackedFloats From(ReadOnlySpan<float> values) => new(Pack(values));

    public float[] ToArray() => Unpack<float>(Bytes);

    /// <summary>The floats where they are, without a copy.</summary>
    public ReadOnlySpan<float> AsSpan() => MemoryMarshal.Cast<byte, float>(Bytes);

    /// <summary>Copies the floats into <paramref name="destination"/>, which must hold exactly as many.</summary>
    public void CopyTo(Span<float> destination)
    {
        var values = MemoryMarshal.Cast<byte, float>(Bytes);
        if (values.Length != destination.Length)
            throw new ArgumentException($"{values.Length} floats do not fit a buffer of {destination.Length}.", nameof(destination));
        values.CopyTo(destination);
    }

    /// <summary>Any array of plain values (floats, doubles, 128-bit sums) as its little-endian bytes.</summary>
    public static byte[] Pack<T>(ReadOnlySpan<T> values) where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();

    public static T[] Unpack<T>(byte[] bytes) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}
