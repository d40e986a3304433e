using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>The k smallest (distance, row) pairs offered to one query, ties broken by the lower row.</summary>
internal struct TopK(int k)
{
    private readonly ulong[] heap = new ulong[k];
    private int count;

    /// <summary>The distance a candidate must not exceed to enter: infinity until the heap is full.</summary>
    public readonly float WorstDistance => count < heap.Length ? float.PositiveInfinity : CandidateKeys.Distance(heap[0]);

    public void Offer(float distance, int row) => CandidateKeys.Offer(heap, ref count, CandidateKeys.Key(distance, row));

    /// <summary>The kept pairs, nearest first.</summary>
    public readonly (float Distance, int Row)[] Sorted()
    {
        var keys = heap.AsSpan(0, count).ToArray();
        Array.Sort(keys);
        return [.. keys.Select(key => (CandidateKeys.Distance(key), CandidateKeys.Index(key)))];
    }
}
