using Orleans.Embeddings.Grains.Providers;

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
        var labels = IdxFile.Read(path, rank: 1).Values;
        var bad = Array.FindIndex(labels, label => label >= ClassNames.Count);
        if (bad >= 0)
            throw new InvalidDataException($"Label {bad} of '{path}' is {labels[bad]}; Fashion-MNIST has {ClassNames.Count} classes.");
        return labels;
    }

    /// <summary>The number of images in an IDX3 file.</summary>
    public static int ReadImageCount(string path) => IdxFile.Read(path, rank: 3).Count;
}
