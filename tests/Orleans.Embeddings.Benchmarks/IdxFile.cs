using System.Buffers.Binary;
using System.IO.Compression;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>Reads the IDX format of MNIST and Fashion-MNIST (big-endian header, unsigned bytes), gzipped or not.</summary>
public static class IdxFile
{
    /// <summary>The items of an IDX file: the item count, the values per item, and the bytes.</summary>
    public static (int Count, int ItemSize, byte[] Values) Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if ((magic >> 8) != 0x08)
            throw new InvalidDataException($"{path} is not an IDX file of unsigned bytes (magic 0x{magic:x8}).");
        var rank = magic & 0xFF;
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        var itemSize = 1;
        for (var d = 1; d < rank; d++) itemSize *= BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
        var header = 4 + 4 * rank;
        return (count, itemSize, bytes.Slice(header, count * itemSize).ToArray());
    }
}
