namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The repulsive field summed over every pair, O(N) per row. The reference the approximations are tested
/// against, and the right choice for a few hundred points.
/// </summary>
public sealed class ExactRepulsionField(float[] map, int dimensions, StudentKernel kernel) : IRepulsionField
{
    public int Dimensions => dimensions;

    public void Evaluate(int start, Span<float> forces, Span<double> z)
    {
        var n = map.Length / dimensions;
        Span<double> force = stackalloc double[3];
        for (var row = 0; row < z.Length; row++)
        {
            var i = start + row;
            force.Clear();
            double zi = 0;
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d2 = 0;
                for (var d = 0; d < dimensions; d++)
                {
                    var diff = (double)map[i * dimensions + d] - map[j * dimensions + d];
                    d2 += diff * diff;
                }
                zi += kernel.Weight(d2);
                var f = kernel.ForceWeight(d2);
                for (var d = 0; d < dimensions; d++)
                    force[d] += f * ((double)map[i * dimensions + d] - map[j * dimensions + d]);
            }
            z[row] = zi;
            for (var d = 0; d < dimensions; d++) forces[row * dimensions + d] = (float)force[d];
        }
    }
}
