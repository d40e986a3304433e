using System.Runtime.CompilerServices;

namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// The best k candidates seen so far for each query row, fed block by block (from any shard, in any order) and
/// giving the same answer whatever the order. Each query row keeps a max-heap of at most k
/// <see cref="CandidateKeys"/>. Rows may be fed concurrently, one thread per row.
/// </summary>
public sealed class TopKAccumulator
{
    private readonly ulong[] keys;
    private readonly int[] counts;

    public TopKAccumulator(int queryStart, int queryCount, int k)
    {
        QueryStart = queryStart;
        QueryCount = queryCount;
        K = k;
        keys = new ulong[(long)queryCount * k];
        counts = new int[queryCount];
    }

    public int QueryStart { get; }

    public int QueryCount { get; }

    public int K { get; }

    /// <summary>The distance a candidate must not exceed to enter row's list; infinity until the list is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Threshold(int localRow) =>
        counts[localRow] < K ? float.PositiveInfinity : CandidateKeys.Distance(keys[(long)localRow * K]);

    /// <summary>
    /// Offers a candidate (global index) to a query row; the query itself is never its own neighbour, and a candidate
    /// offered again (a random-projection forest meets the same one in several trees) is kept once.
    /// </summary>
    public void Offer(int localRow, int candidate, float squaredDistance)
    {
        if (candidate == QueryStart + localRow) return;
        var heap = keys.AsSpan((int)((long)localRow * K), K);
        var key = CandidateKeys.Key(squaredDistance, candidate);
        var count = counts[localRow];
        if ((count == K && key >= heap[0]) || heap[..count].Contains(key)) return;
        CandidateKeys.Offer(heap, ref counts[localRow], key);
    }

    /// <summary>The lists, nearest first. Every row must have received at least k candidates.</summary>
    public NeighborGraph ToGraph()
    {
        var indices = new int[keys.Length];
        var distances = new float[keys.Length];
        for (var row = 0; row < QueryCount; row++)
        {
            if (counts[row] < K)
                throw new InvalidOperationException($"Row {QueryStart + row} has {counts[row]} neighbour candidates, fewer than k = {K}.");
            var heap = keys.AsSpan(row * K, K);
            heap.Sort();
            for (var i = 0; i < K; i++)
            {
                indices[row * K + i] = CandidateKeys.Index(heap[i]);
                distances[row * K + i] = CandidateKeys.Distance(heap[i]);
            }
        }
        return new NeighborGraph(QueryStart, QueryCount, K, indices, distances);
    }

    /// <summary>Each row's k candidate indices in ascending index order (no distances), row-major.</summary>
    public int[] IndicesByIndex()
    {
        var indices = new int[keys.Length];
        for (var row = 0; row < QueryCount; row++)
        {
            if (counts[row] < K)
                throw new InvalidOperationException($"Row {QueryStart + row} has {counts[row]} neighbour candidates, fewer than k = {K}.");
            var list = indices.AsSpan(row * K, K);
            for (var i = 0; i < K; i++) list[i] = CandidateKeys.Index(keys[(long)row * K + i]);
            list.Sort();
        }
        return indices;
    }
}
