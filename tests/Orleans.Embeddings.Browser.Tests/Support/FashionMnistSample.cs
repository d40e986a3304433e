using System.Buffers.Binary;
using System.IO.Compression;

namespace Orleans.Embeddings.Browser.Tests.Support;

/// <summary>
/// The first images of the Fashion-MNIST test split that ships in data/fashion-mnist, written as an IDX pair of
/// their own (the files the host's demo reads), so that the demo job maps a few hundred images in seconds.
/// </summary>
public static class FashionMnistSample
{
    public const string ImagesFile = "t10k-images-idx3-ubyte.gz";

    public const string LabelsFile = "t10k-labels-idx1-ubyte.gz";

    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Writes the first <paramref name="count"/> images and labels into <paramref name="folder"/>.</summary>
    public static void Write(string folder, int count)
    {
        var source = Path.Combine(RepositoryRoot(), "data", "fashion-mnist");
        var images = Read(Path.Combine(source, ImagesFile));
        var labels = Read(Path.Combine(source, LabelsFile));
        // IDX: a big-endian magic, one big-endian int32 per dimension, then the bytes; images are 28 x 28.
        const int imageHeader = 16, labelHeader = 8, pixels = 28 * 28;
        Write(Path.Combine(folder, ImagesFile), images.AsSpan(0, imageHeader + count * pixels), count);
        Write(Path.Combine(folder, LabelsFile), labels.AsSpan(0, labelHeader + count), count);
    }

    private static byte[] Read(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static void Write(string path, ReadOnlySpan<byte> idx, int count)
    {
        var copy = idx.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(4), count);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(copy);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.Embeddings.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Orleans.Embeddings.sln) is not above " + AppContext.BaseDirectory);
    }
}
