using System.Collections.Concurrent;

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
        try
        {
            var file = IdxFile.Read(path, rank: 3);
            return new IdxImageFile(file.Count, file.ItemShape[0], file.ItemShape[1], file.Values);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new EmbeddingFailedException(e.Message, e);
        }
    }
}
