using System.Buffers.Binary;
using System.IO.Compression;

namespace Orleans.Embeddings.Grains.Providers;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (big-endian header, unsigned bytes), gzipped or not: a count of items,
/// each of <see cref="ItemShape"/> bytes (28 x 28 for images, nothing for labels).
/// </summary>
public sealed record IdxFile(int Count, int[] ItemShape, byte[] Values)
{
    public int ItemSize => ItemShape.Aggregate(1, (size, d) => size * d);

    public ReadOnlySpan<byte> Item(int index) => Values.AsSpan(index * ItemSize, ItemSize);

    /// <summary>Reads the file; <paramref name="rank"/>, when given, is the number of dimensions it must have (1 labels, 3 images).</summary>
    public static IdxFile Read(string path, int? rank = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) >> 8 != 0x08)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned bytes.");
        var dimensions = bytes[3];
        if (rank is { } expected && dimensions != expected)
            throw new InvalidDataException($"'{path}' has {dimensions} dimensions; expected {expected}.");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        var shape = new int[dimensions - 1];
        for (var d = 1; d < dimensions; d++) shape[d - 1] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
        var header = 4 + 4 * dimensions;
        var size = (long)count * shape.Aggregate(1, (s, d) => s * d);
        if (count < 0 || bytes.Length - header < size)
            throw new InvalidDataException($"'{path}' is shorter than the {count} items its header announces.");
        return new IdxFile(count, shape, bytes.Slice(header, (int)size).ToArray());
    }
}
