namespace Orleans.Embeddings.Tsne.Tests;

/// <summary>Seeded synthetic data sets for the tests.</summary>
internal static class TestData
{
    /// <summary>Gaussian blobs: <paramref name="clusters"/> centres spread <paramref name="separation"/> apart, unit spread around each.</summary>
    public static (float[] Data, int[] Labels) Blobs(int count, int dimensions, int clusters, double separation, int seed = 1)
    {
        var random = new Random(seed);
        var centres = new double[clusters * dimensions];
        for (var i = 0; i < centres.Length; i++) centres[i] = separation * Gaussian(random);
        var data = new float[count * dimensions];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var c = i % clusters;
            labels[i] = c;
            for (var d = 0; d < dimensions; d++)
                data[i * dimensions + d] = (float)(centres[c * dimensions + d] + Gaussian(random));
        }
        return (data, labels);
    }

    public static float[] Uniform(int count, double scale, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(scale * (random.NextDouble() * 2 - 1))).ToArray();
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static double SquaredDistance(ReadOnlySpan<float> data, int dimensions, int i, int j)
    {
        double sum = 0;
        for (var d = 0; d < dimensions; d++)
        {
            var diff = (double)data[i * dimensions + d] - data[j * dimensions + d];
            sum += diff * diff;
        }
        return sum;
    }

    /// <summary>Share of points whose nearest map neighbours (k of them) carry the point's own label.</summary>
    public static double NeighborPurity(float[] map, int dimensions, int[] labels, int k = 10)
    {
        var n = labels.Length;
        double agree = 0;
        for (var i = 0; i < n; i++)
        {
            var nearest = Enumerable.Range(0, n).Where(j => j != i)
                .OrderBy(j => SquaredDistance(map, dimensions, i, j)).Take(k);
            agree += nearest.Count(j => labels[j] == labels[i]) / (double)k;
        }
        return agree / n;
    }
}
