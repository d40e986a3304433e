using System.Buffers.Binary;
using System.IO.Compression;

namespace Orleans.Embeddings.Silo;

/// <summary>The Fashion-MNIST files that ship with the repository (data/fashion-mnist) and their class names.</summary>
public static class FashionMnist
{
    public const string TestImagesFile = "t10k-images-idx3-ubyte.gz";

    public const string TestLabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>Class names by label, as Zalando lists them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The labels of an IDX1 file (gzipped or not), checked against the ten classes.</summary>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x00000801)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned-byte labels (magic 0x00000801).");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (count < 0 || bytes.Length < 8L + count)
            throw new InvalidDataException($"'{path}' is shorter than the {count} labels its header announces.");
        var labels = bytes.AsSpan(8, count).ToArray();
        var bad = Array.FindIndex(labels, label => label >= ClassNames.Count);
        if (bad >= 0)
            throw new InvalidDataException($"Label {bad} of '{path}' is {labels[bad]}; Fashion-MNIST has {ClassNames.Count} classes.");
        return labels;
    }

    /// <summary>The image count in an IDX3 file's header, read without decompressing the pixels.</summary>
    public static int ReadImageCount(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = OpenMaybeGzipped(file, path);
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 0x00000803)
            throw new InvalidDataException($"'{path}' is not an IDX file of unsigned-byte images (magic 0x00000803).");
        return BinaryPrimitives.ReadInt32BigEndian(header[4..]);
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = OpenMaybeGzipped(file, path);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static Stream OpenMaybeGzipped(FileStream file, string path) =>
        path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
}
