using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// Fashion-MNIST from Debian's dataset-fashion-mnist: the 60,000 training images then the 10,000 test images,
/// pixels scaled to [0, 1], the same order and scaling as the peer scripts use.
/// </summary>
public static class FashionMnist
{
    public const string DefaultRoot = "/usr/share/datasets/fashion-mnist";

    public static (float[] Pixels, int Dimensions, byte[] Labels) Load(int count, string? root = null)
    {
        root ??= Environment.GetEnvironmentVariable("FMNIST") ?? DefaultRoot;
        if (!File.Exists(Path.Combine(root, "train-images-idx3-ubyte.gz")))
            throw new FileNotFoundException($"Fashion-MNIST is not in {root}; install it with: apt-get install dataset-fashion-mnist");
        var trainImages = IdxFile.Read(Path.Combine(root, "train-images-idx3-ubyte.gz"), rank: 3);
        var (trainCount, size, train) = (trainImages.Count, trainImages.ItemSize, trainImages.Values);
        var test = IdxFile.Read(Path.Combine(root, "t10k-images-idx3-ubyte.gz"), rank: 3).Values;
        var trainLabels = IdxFile.Read(Path.Combine(root, "train-labels-idx1-ubyte.gz"), rank: 1).Values;
        var testLabels = IdxFile.Read(Path.Combine(root, "t10k-labels-idx1-ubyte.gz"), rank: 1).Values;
        var total = trainCount + test.Length / size;
        if (count < 1 || count > total)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Fashion-MNIST has {total} images.");
        var pixels = new float[count * size];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var source = i < trainCount ? train.AsSpan(i * size, size) : test.AsSpan((i - trainCount) * size, size);
            for (var p = 0; p < size; p++) pixels[i * size + p] = source[p] / 255f;
            labels[i] = i < trainCount ? trainLabels[i] : testLabels[i - trainCount];
        }
        return (pixels, size, labels);
    }
}
