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
                            OfferBlockRow(top, row + r, queryNorms[row + r], block + r * DotProductKernel.PanelWidth, candidateNorms, firstCandidate, candidateStart);
                    }
                    for (; row < last; row++)
                    {
                        DotProductKernel.Multiply1x16(queryBase + (long)row * dimensions, 1, b, DotProductKernel.PanelWidth, dimensions, block);
                        OfferBlockRow(top, row, queryNorms[row], block, candidateNorms, firstCandidate, candidateStart);
                    }
                }
            }
        });
    }

    private static unsafe void OfferBlockRow(TopKAccumulator top, int row, float queryNorm, float* dots, float[] candidateNorms, int firstCandidate, int candidateStart)
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
                    if (distance <= top.Threshold(row))
                        top.Offer(row, candidateStart + firstCandidate + half + lane, distance);
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
