using System.Numerics.Tensors;

namespace Orleans.Embeddings.Tsne.Affinities;

/// <summary>
/// Turns each row's neighbour distances into conditional probabilities p(j|i) = exp(-beta_i d_ij) / sum, with
/// the precision beta_i found by bisection so that the row's entropy is log(perplexity), to within 1e-5 nats and
/// in at most 200 steps (the procedure of van der Maaten's bhtsne and scikit-learn). Distances are shifted by the
/// row's nearest one first, which leaves p unchanged but keeps exp from underflowing; a row of duplicates
/// (all distances equal) comes out uniform rather than NaN.
/// </summary>
public static class PerplexityCalibration
{
    public const double EntropyTolerance = 1e-5;
    public const int MaxSteps = 200;

    /// <summary>
    /// Row-major conditional probabilities, one per neighbour of each row; each row sums to 1. With
    /// <paramref name="into"/> they are written there, which may be the graph's own distances (each row's distances
    /// are read before its probabilities are written), so that a caller done with the distances allocates nothing.
    /// </summary>
    public static float[] Calibrate(Neighbors.NeighborGraph graph, double perplexity, ParallelOptions parallel, float[]? into = null)
    {
        var k = graph.K;
        var probabilities = into ?? new float[graph.Count * k];
        var targetEntropy = Math.Log(perplexity);
        Parallel.For(0, graph.Count, parallel, () => new float[2 * k], (row, _, scratch) =>
        {
            CalibrateRow(graph.DistancesOf(row), targetEntropy, probabilities.AsSpan(row * k, k), scratch);
            return scratch;
        }, _ => { });
        return probabilities;
    }

    /// <summary>Fills <paramref name="p"/> with the calibrated probabilities of one row and returns its precision.</summary>
    /// <param name="scratch">Room for 2 x the row's length.</param>
    public static double CalibrateRow(ReadOnlySpan<float> squaredDistances, double targetEntropy, Span<float> p, Span<float> scratch)
    {
        var shifted = scratch[..p.Length];
        var exponent = scratch.Slice(p.Length, p.Length);
        TensorPrimitives.Subtract(squaredDistances, TensorPrimitives.Min(squaredDistances), shifted);
        double beta = 1, low = 0, high = double.PositiveInfinity;
        double sum = 0;
        for (var step = 0; step < MaxSteps; step++)
        {
            // w_j = exp(-beta d_j), H = log(sum w) + beta sum(w d) / sum(w), both with SIMD over the row.
            // Capped so that a row of duplicates, whose precision grows without bound, never multiplies 0 by infinity.
            TensorPrimitives.Multiply(shifted, -(float)Math.Min(beta, float.MaxValue), exponent);
            TensorPrimitives.Exp(exponent, p);
            sum = TensorPrimitives.Sum<float>(p);
            var entropy = Math.Log(sum) + beta * TensorPrimitives.Dot<float>(p, shifted) / sum;
            var error = entropy - targetEntropy;
            if (Math.Abs(error) <= EntropyTolerance)
                break;
            if (error > 0)
            {
                low = beta;
                beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2;
            }
            else
            {
                high = beta;
                beta = (beta + low) / 2;
            }
        }
        TensorPrimitives.Divide(p, (float)sum, p);
        return beta;
    }
}
