using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Gradient;

/// <summary>
/// The attractive half of the gradient over a shard's sparse P: for each row i,
/// sum_j p_ij w_ij^(1/a) (y_i - y_j), O(nnz). The 2-D standard-kernel case, which is almost every run, gathers
/// four neighbours' (x, y) pairs at a time with AVX2 straight from the row-major map, one cache line per neighbour;
/// the rest takes the scalar path. Rows are independent, so the result does not depend on the thread count.
/// </summary>
public static class AttractiveForces
{
    private const int RowsPerTask = 256;

    /// <summary>Forces for every row of <paramref name="p"/> (row-major, dimensions per row) from the whole map.</summary>
    public static void Compute(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel, float[] forces, ParallelOptions parallel)
    {
        if (dimensions == 2 && kernel.IsCauchy && Avx2.IsSupported)
            ForEachRowRange(p.Count, parallel, (first, last) => Cauchy2D(p, map, forces, first, last));
        else
            ForEachRowRange(p.Count, parallel, (first, last) => General(p, map, dimensions, kernel, forces, first, last));
    }

    /// <summary>
    /// sum_ij p_ij log w_ij over the shard's rows: with the entropy term and log Z, the KL divergence. Summed per
    /// block of rows in parallel and the blocks in order, so the sum does not depend on the thread count.
    /// </summary>
    public static double LogWeightSum(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel, ParallelOptions parallel)
    {
        var cauchy2D = dimensions == 2 && kernel.IsCauchy && Avx2.IsSupported;
        var blocks = new double[(p.Count + RowsPerTask - 1) / RowsPerTask];
        Parallel.For(0, blocks.Length, parallel, block =>
        {
            var (first, last) = (block * RowsPerTask, Math.Min(p.Count, (block + 1) * RowsPerTask));
            blocks[block] = cauchy2D ? CauchyLogWeights2D(p, map, first, last) : GeneralLogWeights(p, map, dimensions, kernel, first, last);
        });
        double sum = 0;
        foreach (var block in blocks) sum += block;
        return sum;
    }

    private static double GeneralLogWeights(SparseAffinities p, float[] map, int dimensions, StudentKernel kernel, int first, int last)
    {
        double total = 0;
        for (var r = first; r < last; r++)
        {
            var i = p.Start + r;
            for (var at = p.RowStarts[r]; at < p.RowStarts[r + 1]; at++)
                total += p.Values[at] * Math.Log(kernel.Weight(SquaredDistance(map, dimensions, i, p.Columns[at])));
        }
        return total;
    }

    // log w = -log(1 + d^2), four neighbours at a time in double precision. Scalar logarithms made the KL iterations
    // (one in 50) cost a sixth of all the iterations' time at 250,000 points.
    private static unsafe double CauchyLogWeights2D(SparseAffinities p, float[] map, int first, int last)
    {
        var sums = Vector256<double>.Zero;
        double rest = 0;
        fixed (float* points = map, values = p.Values)
        fixed (int* columns = p.Columns)
        {
            for (var r = first; r < last; r++)
            {
                var i = p.Start + r;
                double xi = points[2 * i], yi = points[2 * i + 1];
                var (x, y) = (Vector256.Create(xi), Vector256.Create(yi));
                var at = p.RowStarts[r];
                var end = p.RowStarts[r + 1];
                for (; at + 4 <= end; at += 4)
                {
                    var xIndices = Sse2.ShiftLeftLogical(Sse2.LoadVector128(columns + at), 1);
                    var dx = x - Avx.ConvertToVector256Double(Avx2.GatherVector128(points, xIndices, 4));
                    var dy = y - Avx.ConvertToVector256Double(Avx2.GatherVector128(points + 1, xIndices, 4));
                    var pij = Avx.ConvertToVector256Double(Sse.LoadVector128(values + at));
                    sums -= pij * Vector256.Log(Vector256<double>.One + dx * dx + dy * dy);
                }
                for (; at < end; at++)
                {
                    var j = columns[at];
                    double dx = xi - points[2 * j], dy = yi - points[2 * j + 1];
                    rest -= values[at] * Math.Log(1 + dx * dx + dy * dy);
                }
            }
        }
        return Vector256.Sum(sums) + rest;
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
                var weight = p.Values[at] * kernel.AttractionWeight(SquaredDistance(map, dimensions, i, j));
                for (var d = 0; d < dimensions; d++)
                    force[d] += weight * ((double)map[i * dimensions + d] - map[j * dimensions + d]);
            }
            for (var d = 0; d < dimensions; d++) forces[r * dimensions + d] = (float)force[d];
        }
    }

    private static double SquaredDistance(float[] map, int dimensions, int i, int j)
    {
        double d2 = 0;
        for (var d = 0; d < dimensions; d++)
        {
            var diff = (double)map[i * dimensions + d] - map[j * dimensions + d];
            d2 += diff * diff;
        }
        return d2;
    }

    // Lanes hold (x, y) of four neighbours; p is spread to both lanes of its pair, and d^2 is a lane's square plus its
    // partner's, so even lanes accumulate the x force and odd lanes the y force.
    private static unsafe void Cauchy2D(SparseAffinities p, float[] map, float[] forces, int first, int last)
    {
        var pairOfEach = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        fixed (float* points = map, values = p.Values)
        fixed (int* columns = p.Columns)
        {
            var pairs = (long*)points;
            for (var r = first; r < last; r++)
            {
                var i = p.Start + r;
                var xi = points[2 * i];
                var yi = points[2 * i + 1];
                var vi = Vector256.Create(xi, yi, xi, yi, xi, yi, xi, yi);
                var f = Vector256<float>.Zero;
                var at = p.RowStarts[r];
                var end = p.RowStarts[r + 1];
                for (; at + 4 <= end; at += 4)
                {
                    var neighbours = Avx2.GatherVector256(pairs, Sse2.LoadVector128(columns + at), 8).AsSingle();
                    var d = vi - neighbours;
                    var squares = d * d;
                    var d2 = squares + Avx.Permute(squares, 0b10_11_00_01);
                    var pij = Avx2.PermuteVar8x32(Vector256.Create(Sse.LoadVector128(values + at), Vector128<float>.Zero), pairOfEach);
                    f = Vector256.MultiplyAddEstimate(pij / (Vector256<float>.One + d2), d, f);
                }
                float sx = f[0] + f[2] + f[4] + f[6], sy = f[1] + f[3] + f[5] + f[7];
                for (; at < end; at++)
                {
                    var j = columns[at];
                    var dx = xi - points[2 * j];
                    var dy = yi - points[2 * j + 1];
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
