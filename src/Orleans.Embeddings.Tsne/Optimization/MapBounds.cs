using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The smallest box around some rows of a map: per dimension the least and the greatest coordinate. Each shard
/// reports its rows' box after a step, and their union (a minimum and a maximum, so the same in any order) places
/// the next iteration's FFT grid.
/// </summary>
public sealed record MapBounds(double[] Low, double[] High)
{
    public int Dimensions => Low.Length;

    /// <summary>The bounds of row-major rows; a map with a NaN or an infinity (a diverged optimisation) is refused.</summary>
    public static MapBounds Of(ReadOnlySpan<float> rows, int dimensions)
    {
        var low = new double[dimensions];
        var high = new double[dimensions];
        if (!FftRepulsionField.Bounds(rows, dimensions, low, high))
            throw new ArgumentException("The map has non-finite coordinates: the optimisation diverged (try a smaller learning rate).", "map");
        return new MapBounds(low, high);
    }

    /// <summary>The box around every shard's box; shards without rows report an empty box, which changes nothing.</summary>
    public static MapBounds Union(IReadOnlyList<MapBounds> parts)
    {
        var dimensions = parts[0].Dimensions;
        var low = Enumerable.Repeat(double.PositiveInfinity, dimensions).ToArray();
        var high = Enumerable.Repeat(double.NegativeInfinity, dimensions).ToArray();
        foreach (var part in parts)
            for (var d = 0; d < dimensions; d++)
            {
                low[d] = Math.Min(low[d], part.Low[d]);
                high[d] = Math.Max(high[d], part.High[d]);
            }
        return new MapBounds(low, high);
    }
}
