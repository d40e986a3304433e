namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// Re-ranks each row's candidate neighbours by exact squared distance in the input space. Candidates live in
/// other shards, so each shard's input block is offered in turn and only the candidates it holds are measured.
/// The block is walked in slices small enough to stay in cache, each row measuring the candidates inside the
/// slice (its candidate list is kept sorted by index for that), so candidate rows are read from memory about
/// once rather than once per query that names them.
/// </summary>
public sealed class CandidateRefinement
{
    private const int SliceBytes = 8 << 20;

    private readonly int k;
    private readonly int[] sorted;

    /// <param name="candidates">The finished candidate search; only its indices are kept, sorted by index.</param>
    public CandidateRefinement(TopKAccumulator candidates)
    {
        k = candidates.K;
        sorted = candidates.IndicesByIndex();
    }

    public void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ReadOnlyMemory<float> block, int blockStart,
        int dimensions, ParallelOptions parallel)
    {
        var blockRows = block.Length / dimensions;
        var sliceRows = Math.Max(64, SliceBytes / (dimensions * sizeof(float)));
        for (var sliceStart = blockStart; sliceStart < blockStart + blockRows; sliceStart += sliceRows)
        {
            var sliceEnd = Math.Min(blockStart + blockRows, sliceStart + sliceRows);
            Parallel.For(0, top.QueryCount, parallel, row =>
            {
                var list = sorted.AsSpan(row * k, k);
                var at = LowerBound(list, sliceStart);
                if (at == k || list[at] >= sliceEnd) return;
                var query = queries.Span.Slice(row * dimensions, dimensions);
                var rows = block.Span;
                for (; at < k && list[at] < sliceEnd; at++)
                {
                    var j = list[at];
                    top.Offer(row, j, SquaredDistance(query, rows.Slice((j - blockStart) * dimensions, dimensions)));
                }
            });
        }
    }

    private static int LowerBound(ReadOnlySpan<int> list, int value)
    {
        int low = 0, high = list.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (list[middle] < value) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var d = System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
        return d * d;
    }
}
