using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Orleans.Embeddings.Tsne.Kernels;

namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// Exact k-nearest-neighbour search by blocked all-pairs distances, |q|^2 + |c|^2 - 2 q.c, with the dot products
/// from the register-blocked SIMD kernel. Each candidate block (a shard's rows) is offered to the query rows'
/// top-k lists; the lists come out the same whatever the blocks and their order, so the graph does not depend
/// on the shard count.
/// </summary>
public static class ExactNeighborSearch
{
    private const int QueryTile = 64;

    /// <summary>Offers every row of <paramref name="candidates"/> (global rows from <paramref name="candidateStart"/>) to every query row.</summary>
    public static unsafe void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ReadOnlyMemory<float> candidates, int candidateStart, int dimensions, ParallelOptions parallel)
    {
        var candidateCount = candidates.Length / dimensions;
        var panels = DotProductKernel.PanelCount(candidateCount);
        var packed = new float[panels * dimensions * DotProductKernel.PanelWidth];
        DotProductKernel.Pack(candidates.Span, candidateCount, dimensions, packed);
        var candidateNorms = new float[panels * DotProductKernel.PanelWidth];
        SquaredNorms(candidates.Span, dimensions, candidateNorms);
        // Padding lanes get a NaN distance, which never passes the threshold test.
        candidateNorms.AsSpan(candidateCount).Fill(float.NaN);
        var queryNorms = new float[top.QueryCount];
        SquaredNorms(queries.Span, dimensions, queryNorms);

        var tiles = (top.QueryCount + QueryTile - 1) / QueryTile;
        Parallel.For(0, tiles, parallel, tile =>
        {
            var first = tile * QueryTile;
            var last = Math.Min(top.QueryCount, first + QueryTile);
            var block = stackalloc float[4 * DotProductKernel.PanelWidth];
            fixed (float* queryBase = queries.Span)
            fixed (float* packedBase = packed)
            {
                for (var panel = 0; panel < panels; panel++)
                {
                    var b = packedBase + (long)panel * dimensions * DotProductKernel.PanelWidth;
                    var firstCandidate = panel * DotProductKernel.PanelWidth;
                    var row = first;
                    for (; row + 4 <= last; row += 4)
                    {
                        DotProductKernel.Multiply4x16(queryBase + (long)row * dimensions, dimensions, 1, b, DotProductKernel.PanelWidth, dimensions, block);
                        for (var r = 0; r < 4; r++)
                            OfferBlockRow(top, row + r, queryNorms[row + r], block + r * DotProductKernel.PanelWidth, candidateNorms, firstCandidate, candidateStart, null);
                    }
                    for (; row < last; row++)
                    {
                        DotProductKernel.Multiply1x16(queryBase + (long)row * dimensions, 1, b, DotProductKernel.PanelWidth, dimensions, block);
                        OfferBlockRow(top, row, queryNorms[row], block, candidateNorms, firstCandidate, candidateStart, null);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Offers some rows of a candidate block (local rows <paramref name="candidateRows"/>, global indices from
    /// <paramref name="candidateStart"/>) to some query rows (local rows of <paramref name="top"/>) by exact distance,
    /// on the calling thread: one leaf of a <see cref="RandomProjectionTree"/>.
    /// </summary>
    internal static unsafe void OfferGathered(TopKAccumulator top, ReadOnlySpan<float> queries, ReadOnlySpan<int> queryRows,
        ReadOnlySpan<float> candidates, ReadOnlySpan<int> candidateRows, int candidateStart, int dimensions, GatherBuffers buffers)
    {
        var candidateCount = candidateRows.Length;
        var panels = DotProductKernel.PanelCount(candidateCount);
        var packed = buffers.Packed(panels * dimensions * DotProductKernel.PanelWidth);
        DotProductKernel.PackRows(candidates, candidateRows, dimensions, packed);
        var candidateNorms = buffers.Norms(panels * DotProductKernel.PanelWidth);
        var ids = buffers.Ids(panels * DotProductKernel.PanelWidth);
        for (var i = 0; i < candidateCount; i++)
        {
            var row = candidates.Slice(candidateRows[i] * dimensions, dimensions);
            candidateNorms[i] = TensorPrimitives.Dot(row, row);
            ids[i] = candidateStart + candidateRows[i];
        }
        candidateNorms.AsSpan(candidateCount, panels * DotProductKernel.PanelWidth - candidateCount).Fill(float.NaN);
        var gathered = buffers.Queries(queryRows.Length * dimensions);
        var queryNorms = buffers.QueryNorms(queryRows.Length);
        for (var i = 0; i < queryRows.Length; i++)
        {
            var row = gathered.AsSpan(i * dimensions, dimensions);
            queries.Slice(queryRows[i] * dimensions, dimensions).CopyTo(row);
            queryNorms[i] = TensorPrimitives.Dot(row, row);
        }
        var block = stackalloc float[4 * DotProductKernel.PanelWidth];
        fixed (float* queryBase = gathered)
        fixed (float* packedBase = packed)
        fixed (int* idBase = ids)
        {
            for (var panel = 0; panel < panels; panel++)
            {
                var b = packedBase + (long)panel * dimensions * DotProductKernel.PanelWidth;
                var firstCandidate = panel * DotProductKernel.PanelWidth;
                var i = 0;
                for (; i + 4 <= queryRows.Length; i += 4)
                {
                    DotProductKernel.Multiply4x16(queryBase + (long)i * dimensions, dimensions, 1, b, DotProductKernel.PanelWidth, dimensions, block);
                    for (var r = 0; r < 4; r++)
                        OfferBlockRow(top, queryRows[i + r], queryNorms[i + r], block + r * DotProductKernel.PanelWidth, candidateNorms, firstCandidate, 0, idBase);
                }
                for (; i < queryRows.Length; i++)
                {
                    DotProductKernel.Multiply1x16(queryBase + (long)i * dimensions, 1, b, DotProductKernel.PanelWidth, dimensions, block);
                    OfferBlockRow(top, queryRows[i], queryNorms[i], block, candidateNorms, firstCandidate, 0, idBase);
                }
            }
        }
    }

    /// <summary>One thread's scratch space for <see cref="OfferGathered"/>, grown as leaves need.</summary>
    internal sealed class GatherBuffers
    {
        private float[] packed = [], norms = [], queries = [], queryNorms = [];
        private int[] ids = [];

        public float[] Packed(int length) => packed.Length >= length ? packed : packed = new float[length];

        public float[] Norms(int length) => norms.Length >= length ? norms : norms = new float[length];

        public float[] Queries(int length) => queries.Length >= length ? queries : queries = new float[length];

        public float[] QueryNorms(int length) => queryNorms.Length >= length ? queryNorms : queryNorms = new float[length];

        public int[] Ids(int length) => ids.Length >= length ? ids : ids = new int[length];
    }

    // Candidate global indices are candidateStart + their place in the block, or, with ids, ids[place].
    private static unsafe void OfferBlockRow(TopKAccumulator top, int row, float queryNorm, float* dots, float[] candidateNorms, int firstCandidate, int candidateStart, int* ids)
    {
        // Distances of the 16 candidates at once; most blocks have none under the row's threshold once its
        // list has filled, and are dismissed with one comparison per 8 lanes.
        var threshold = Vector256.Create(top.Threshold(row));
        var query = Vector256.Create(queryNorm);
        var minusTwo = Vector256.Create(-2f);
        fixed (float* norms = &candidateNorms[firstCandidate])
        {
            for (var half = 0; half < DotProductKernel.PanelWidth; half += 8)
            {
                var distances = Vector256.MultiplyAddEstimate(minusTwo, Vector256.Load(dots + half), query + Vector256.Load(norms + half));
                var mask = Vector256.LessThanOrEqual(distances, threshold).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var lane = System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    var distance = distances.GetElement(lane);
                    var place = firstCandidate + half + lane;
                    if (distance <= top.Threshold(row))
                        top.Offer(row, ids == null ? candidateStart + place : ids[place], distance);
                }
                threshold = Vector256.Create(top.Threshold(row));
            }
        }
    }

    internal static void SquaredNorms(ReadOnlySpan<float> rows, int dimensions, Span<float> norms)
    {
        var count = rows.Length / dimensions;
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * dimensions, dimensions);
            norms[i] = TensorPrimitives.Dot(row, row);
        }
    }
}
