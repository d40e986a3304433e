using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Cluster.Tests.Search;

/// <summary>Data for the search tests: Fashion-MNIST test images (shipped with the repository) and Gaussian blobs.</summary>
public static class SearchData
{
    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images, pixels scaled to [0, 1], 784 values each.</summary>
    public static float[] FashionMnist(int count)
    {
        var images = IdxFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", "t10k-images-idx3-ubyte.gz"), rank: 3);
        var pixels = new float[count * images.ItemSize];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = images.Values[i] / 255f;
        return pixels;
    }

    /// <summary>Points around 8 centres in <paramref name="dimensions"/> dimensions, the same for the same seed.</summary>
    public static float[] Blobs(int count, int dimensions, int seed = 3)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 8 * dimensions).Select(_ => 6 * Gaussian(random)).ToArray();
        var data = new float[count * dimensions];
        for (var i = 0; i < count; i++)
            for (var d = 0; d < dimensions; d++)
                data[i * dimensions + d] = (float)(centres[i % 8 * dimensions + d] + Gaussian(random));
        return data;
    }

    /// <summary>The values as the index stores them by default, rounded to float16: what its exact searches rank by.</summary>
    public static float[] AsStored(float[] values) => [.. values.Select(v => (float)(Half)v)];

    public static float[] Row(float[] data, int dimensions, int row) => data.AsSpan(row * dimensions, dimensions).ToArray();

    /// <summary>The exact k nearest rows to <paramref name="query"/>, in double precision, ties by row.</summary>
    public static int[] Nearest(float[] data, int dimensions, float[] query, int k, int exclude = -1, Func<int, bool>? where = null)
    {
        var count = data.Length / dimensions;
        return [.. Enumerable.Range(0, count)
            .Where(r => r != exclude && (where?.Invoke(r) ?? true))
            .Select(r =>
            {
                var sum = 0.0;
                for (var d = 0; d < dimensions; d++)
                {
                    var delta = (double)data[r * dimensions + d] - query[d];
                    sum += delta * delta;
                }
                return (Row: r, Distance: sum);
            })
            .OrderBy(p => p.Distance).ThenBy(p => p.Row)
            .Take(k)
            .Select(p => p.Row)];
    }

    /// <summary>The share of the expected neighbours found, over all queries.</summary>
    public static double Recall(IReadOnlyList<IEnumerable<string>> expected, IReadOnlyList<IEnumerable<string>> found)
    {
        var (hits, total) = (0, 0);
        for (var q = 0; q < expected.Count; q++)
        {
            var wanted = expected[q].ToHashSet();
            total += wanted.Count;
            hits += found[q].Count(wanted.Contains);
        }
        return (double)hits / total;
    }

    /// <summary>A neighbour list as comparable values: NearestMatch compares its labels by reference.</summary>
    public static IEnumerable<(string Id, float Distance, string Labels)> Values(IEnumerable<NearestMatch> matches) =>
        matches.Select(m => (m.Id, m.Distance, string.Join(",", m.Labels)));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
