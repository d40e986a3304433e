using System.Buffers.Binary;
using System.IO.Compression;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>An IDX file of unsigned bytes (MNIST, Fashion-MNIST), gzipped or not.</summary>
public sealed record IdxFile(int Count, int[] ItemShape, byte[] Values)
{
    public int ItemSize => ItemShape.Aggregate(1, (size, d) => size * d);

    public static bool IsIdx(string path)
    {
        try
        {
            using var stream = Open(path);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    public static IdxFile Read(string path, int rank)
    {
        using var stream = Open(path);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (bytes.Length < 8 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned bytes.");
        if (bytes[3] != rank) throw new InvalidDataException($"'{path}' has {bytes[3]} dimensions; expected {rank}.");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        var shape = new int[rank - 1];
        for (var d = 1; d < rank; d++) shape[d - 1] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
        var header = 4 + 4 * rank;
        var size = (long)count * shape.Aggregate(1, (s, d) => s * d);
        if (count < 0 || bytes.Length - header < size) throw new InvalidDataException($"'{path}' is shorter than the {count} items its header announces.");
        return new IdxFile(count, shape, bytes.Slice(header, (int)size).ToArray());
    }

    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }
}
