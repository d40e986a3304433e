using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;

namespace Orleans.Embeddings.Grains.Providers;

/// <summary>
/// IDX image files (MNIST, Fashion-MNIST), gzipped or not, read once per silo and kept in memory: the demo
/// collection's 10,000 image grains all read the same 7.8 MB file.
/// </summary>
public sealed class IdxImages
{
    private readonly ConcurrentDictionary<string, Lazy<IdxImageFile>> files = new(StringComparer.Ordinal);

    public IdxImageFile Open(string path) =>
        files.GetOrAdd(Path.GetFullPath(path), p => new Lazy<IdxImageFile>(() => IdxImageFile.Read(p))).Value;
}

/// <summary>The images of one IDX file: Count images of Rows x Columns unsigned bytes.</summary>
public sealed record IdxImageFile(int Count, int Rows, int Columns, byte[] Pixels)
{
    public ReadOnlySpan<byte> Image(int index) =>
        index >= 0 && index < Count
            ? Pixels.AsSpan(index * Rows * Columns, Rows * Columns)
            : throw new EmbeddingFailedException($"Record {index} is outside the IDX file's {Count} images.");

    public static IdxImageFile Read(string path)
    {
        if (!File.Exists(path)) throw new EmbeddingFailedException($"IDX file '{path}' does not exist.");
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (bytes.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x00000803)
            throw new EmbeddingFailedException($"'{path}' is not an IDX file of unsigned-byte images (magic 0x00000803).");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        var rows = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
        var columns = BinaryPrimitives.ReadInt32BigEndian(bytes[12..]);
        if (bytes.Length < 16 + (long)count * rows * columns)
            throw new EmbeddingFailedException($"'{path}' is shorter than its header says.");
        return new IdxImageFile(count, rows, columns, bytes.Slice(16, count * rows * columns).ToArray());
    }
}
