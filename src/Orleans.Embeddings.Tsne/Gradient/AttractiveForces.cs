using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Gradient;

/// <summary>
/// The attractive half of the gradient over a shard's sparse P: for each row i,
/// sum_j p_ij w_ij^(1/a) (y_i - y_j), O(nnz). The 2-D standard-kernel case, which is almost every run, gathers
/// eight neighbours at a time with AVX2; the rest takes the scalar path. Rows are independent, so the result does
/// not depend on the thread count.
/// </summary>
public static class AttractiveForces
{
    private const int RowsPerTask = 256;

    /// <summary>Forces for every row of <paramref name="p"/> (row-major, dimensions per row) from the whole map.</summary>
    /// <param name="columns">The 2-D map's coordinates as two columns, when the caller keeps them for several shards.</param>
    public static void Compute(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel, float[] forces, ParallelOptions parallel,
        (float[] Xs, float[] Ys)? columns = null)
    {
        if (dimensions == 2 && kernel.IsCauchy && Avx2.IsSupported)
        {
            var (xs, ys) = columns ?? Columns(map, new float[map.Length / 2], new float[map.Length / 2]);
            ForEachRowRange(p.Count, parallel, (first, last) => Cauchy2D(p, xs, ys, forces, first, last));
        }
        else
        {
            ForEachRowRange(p.Count, parallel, (first, last) => General(p, map, dimensions, kernel, forces, first, last));
        }
    }

    /// <summary>A 2-D map's coordinates split into two columns, for the gathers of the attraction.</summary>
    public static (float[] Xs, float[] Ys) Columns(float[] map, float[] xs, float[] ys)
    {
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = map[2 * i];
            ys[i] = map[2 * i + 1];
        }
        return (xs, ys);
    }

    /// <summary>sum_ij p_ij log w_ij over the shard's rows: with the entropy term and log Z, the KL divergence.</summary>
    public static double LogWeightSum(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel)
    {
        double total = 0;
        for (var r = 0; r < p.Count; r++)
        {
            var i = p.Start + r;
            for (var at = p.RowStarts[r]; at < p.RowStarts[r + 1]; at++)
            {
                var j = p.Columns[at];
                double d2 = 0;
                for (var d = 0; d < dimensions; d++)
                {
                    var diff = (double)map[i * dimensions + d] - map[j * dimensions + d];
                    d2 += diff * diff;
                }
                total += p.Values[at] * Math.Log(kernel.Weight(d2));
            }
        }
        return total;
    }

    private static void ForEachRowRange(int count, ParallelOptions parallel, Action<int, int> body) =>
        Parallel.For(0, (count + RowsPerTask - 1) / RowsPerTask, parallel,
            task => body(task * RowsPerTask, Math.Min(count, (task + 1) * RowsPerTask)));

    private static void General(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel, float[] forces, int first, int last)
    {
        Span<double> force = stackalloc double[dimensions];
        for (var r = first; r < last; r++)
        {
            var i = p.Start + r;
            force.Clear();
            for (var at = p.RowStarts[r]; at < p.RowStarts[r + 1]; at++)
            {
                var j = p.Columns[at];
                double d2 = 0;
                for (var d = 0; d < dimensions; d++)
                {
                    var diff = (double)map[i * dimensions + d] - map[j * dimensions + d];
                    d2 += diff * diff;
                }
                var weight = p.Values[at] * kernel.AttractionWeight(d2);
                for (var d = 0; d < dimensions; d++)
                    force[d] += weight * ((double)map[i * dimensions + d] - map[j * dimensions + d]);
            }
            for (var d = 0; d < dimensions; d++) forces[r * dimensions + d] = (float)force[d];
        }
    }

    private static unsafe void Cauchy2D(SparseAffinities p, float[] xs, float[] ys, float[] forces, int first, int last)
    {
        fixed (float* x = xs, y = ys, values = p.Values)
        fixed (int* columns = p.Columns)
        {
            for (var r = first; r < last; r++)
            {
                var i = p.Start + r;
                var xi = x[i];
                var yi = y[i];
                var vxi = Vector256.Create(xi);
                var vyi = Vector256.Create(yi);
                var fx = Vector256<float>.Zero;
                var fy = Vector256<float>.Zero;
                var at = p.RowStarts[r];
                var end = p.RowStarts[r + 1];
                for (; at + 8 <= end; at += 8)
                {
                    var j = Avx.LoadVector256(columns + at);
                    var dx = vxi - Avx2.GatherVector256(x, j, 4);
                    var dy = vyi - Avx2.GatherVector256(y, j, 4);
                    var d2 = Vector256.MultiplyAddEstimate(dy, dy, dx * dx);
                    var w = Avx.LoadVector256(values + at) / (Vector256<float>.One + d2);
                    fx = Vector256.MultiplyAddEstimate(w, dx, fx);
                    fy = Vector256.MultiplyAddEstimate(w, dy, fy);
                }
                float sx = Vector256.Sum(fx), sy = Vector256.Sum(fy);
                for (; at < end; at++)
                {
                    var j = columns[at];
                    var dx = xi - x[j];
                    var dy = yi - y[j];
                    var w = values[at] / (1 + dx * dx + dy * dy);
                    sx += w * dx;
                    sy += w * dy;
                }
                forces[2 * r] = sx;
                forces[2 * r + 1] = sy;
            }
        }
    }
}
