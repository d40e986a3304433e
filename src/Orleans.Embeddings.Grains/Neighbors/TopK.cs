namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// The k smallest (distance, row) pairs offered, as a max-heap of keys that pack a non-negative float distance's
/// bits above the row index: comparing keys compares distances and breaks ties by the lower row.
/// </summary>
internal struct TopK(int k)
{
    private readonly ulong[] heap = new ulong[k];
    private int count;

    /// <summary>The largest key kept once the heap is full; a candidate must beat it to enter.</summary>
    public readonly ulong Worst => count < heap.Length ? ulong.MaxValue : heap[0];

    /// <summary>The distance a candidate must not exceed to enter: infinity until the heap is full.</summary>
    public readonly float WorstDistance => count < heap.Length ? float.PositiveInfinity : BitConverter.UInt32BitsToSingle((uint)(heap[0] >> 32));

    public void Offer(float distance, int row)
    {
        var key = Key(distance, row);
        if (count < heap.Length)
        {
            var child = count++;
            while (child > 0)
            {
                var parent = (child - 1) / 2;
                if (heap[parent] >= key) break;
                heap[child] = heap[parent];
                child = parent;
            }
            heap[child] = key;
            return;
        }
        if (key >= heap[0]) return;
        var at = 0;
        while (true)
        {
            var left = 2 * at + 1;
            if (left >= count) break;
            var larger = left + 1 < count && heap[left + 1] > heap[left] ? left + 1 : left;
            if (heap[larger] <= key) break;
            heap[at] = heap[larger];
            at = larger;
        }
        heap[at] = key;
    }

    /// <summary>The kept pairs, nearest first.</summary>
    public readonly (float Distance, int Row)[] Sorted()
    {
        var keys = heap.AsSpan(0, count).ToArray();
        Array.Sort(keys);
        return keys.Select(key => (BitConverter.UInt32BitsToSingle((uint)(key >> 32)), (int)(uint)key)).ToArray();
    }

    /// <summary>Non-negative floats order like their bit patterns, so the pair orders like its key.</summary>
    private static ulong Key(float distance, int row) => ((ulong)BitConverter.SingleToUInt32Bits(Math.Max(distance, 0f)) << 32) | (uint)row;
}
