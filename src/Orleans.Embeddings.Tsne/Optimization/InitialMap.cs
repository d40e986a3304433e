using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// Starting coordinates of a shard's rows. Every variant is a function of the global row index alone, so the
/// starting map is the same however the rows are sharded.
/// </summary>
public static class InitialMap
{
    /// <summary>Standard deviation of the first coordinate of the starting map (openTSNE's 1e-4).</summary>
    public const double Scale = 1e-4;

    /// <summary>The rows' leading principal coordinates, scaled so the first has standard deviation 1e-4.</summary>
    public static float[] FromPca(ReadOnlyMemory<float> rows, PcaModel model, int dimensions, ParallelOptions parallel)
    {
        var axes = model.Truncate(dimensions);
        var map = axes.Project(rows, parallel);
        var scale = (float)(Scale / Math.Sqrt(Math.Max(axes.Variances[0], double.Epsilon)));
        for (var i = 0; i < map.Length; i++) map[i] *= scale;
        return map;
    }

    /// <summary>Gaussian coordinates with standard deviation 1e-4 drawn from (seed, global row, dimension).</summary>
    public static float[] Random(int start, int count, int dimensions, int seed)
    {
        var map = new float[count * dimensions];
        for (var r = 0; r < count; r++)
            for (var d = 0; d < dimensions; d++)
            {
                var stream = Mix(Mix((ulong)(uint)seed) ^ (ulong)(start + r) * 0x9E3779B97F4A7C15UL ^ (ulong)d);
                var u1 = ((Mix(stream) >> 11) + 1) * (1.0 / (1UL << 53));
                var u2 = (Mix(stream + 1) >> 11) * (1.0 / (1UL << 53));
                map[r * dimensions + d] = (float)(Scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        return map;
    }

    /// <summary>A shard's rows of a caller-supplied map.</summary>
    public static float[] Supplied(float[] map, int start, int count, int dimensions) =>
        map.AsSpan(start * dimensions, count * dimensions).ToArray();

    // SplitMix64's finaliser: a cheap, well-mixed hash of a counter.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
