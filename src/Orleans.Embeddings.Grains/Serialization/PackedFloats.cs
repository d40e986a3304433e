using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Grains.Serialization;

/// <summary>
/// Floats as one block of little-endian bytes. Orleans' generated serializers write a float[] field element by
/// element with a tag each (about 5 bytes a float); this goes as one block of 4 bytes a float
/// (<see cref="PackedFloatsCodec"/>), which matters for what crosses the wire every iteration (the map, the forces).
/// Immutable, so Orleans passes it between grains of one silo without copying. A block that arrived over the wire
/// lies in a pooled buffer, which the reader hands back with <see cref="Release"/> once it has copied the floats out.
/// </summary>
[Immutable]
public sealed class PackedFloats
{
    private byte[]? block;

    /// <summary>The floats of <paramref name="bytes"/>, all of it; the caller does not change it while the value is in use.</summary>
    public PackedFloats(byte[] bytes) : this(bytes, bytes.Length, pooled: false)
    {
    }

    private PackedFloats(byte[] block, int length, bool pooled)
    {
        this.block = block;
        ByteCount = length;
        Pooled = pooled;
    }

    /// <summary>How many bytes the floats take.</summary>
    public int ByteCount { get; }

    private bool Pooled { get; }

    public static PackedFloats From(ReadOnlySpan<float> values) => new(Pack(values));

    /// <summary>A block the codec filled from the wire: the first <paramref name="length"/> bytes of a pooled buffer.</summary>
    internal static PackedFloats FromPool(byte[] block, int length) => new(block, length, pooled: true);

    /// <summary>The floats' bytes where they are, without a copy.</summary>
    public ReadOnlySpan<byte> Bytes => (block ?? throw new ObjectDisposedException(nameof(PackedFloats))).AsSpan(0, ByteCount);

    /// <summary>The floats where they are, without a copy.</summary>
    public ReadOnlySpan<float> AsSpan() => MemoryMarshal.Cast<byte, float>(Bytes);

    public float[] ToArray() => AsSpan().ToArray();

    /// <summary>Copies the floats into <paramref name="destination"/>, which must hold exactly as many.</summary>
    public void CopyTo(Span<float> destination)
    {
        var values = AsSpan();
        if (values.Length != destination.Length)
            throw new ArgumentException($"{values.Length} floats do not fit a buffer of {destination.Length}.", nameof(destination));
        values.CopyTo(destination);
    }

    /// <summary>Hands a buffer that came over the wire back to the pool; the floats must not be read after. Others are kept.</summary>
    public void Release()
    {
        if (!Pooled || Interlocked.Exchange(ref block, null) is not { } returned) return;
        PackedFloatsCodec.Return(returned);
    }

    /// <summary>Any array of plain values (floats, doubles, 128-bit sums) as its little-endian bytes.</summary>
    public static byte[] Pack<T>(ReadOnlySpan<T> values) where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();

    public static T[] Unpack<T>(byte[] bytes) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}
