namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>Gaussian blobs: points that t-SNE separates into visible clusters, the same on every call.</summary>
public static class BlobRows
{
    public const int Blobs = 6;

    /// <summary>Row i is drawn around centre i mod <see cref="Blobs"/>; the first N rows of a larger table are the table of N rows.</summary>
    public static float[] Generate(int count, int dimensions)
    {
        var random = new Random(23);
        var centres = Enumerable.Range(0, Blobs * dimensions).Select(_ => 8 * Gaussian(random)).ToArray();
        var data = new float[count * dimensions];
        for (var i = 0; i < count; i++)
            for (var d = 0; d < dimensions; d++)
                data[i * dimensions + d] = (float)(centres[i % Blobs * dimensions + d] + Gaussian(random));
        return data;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
