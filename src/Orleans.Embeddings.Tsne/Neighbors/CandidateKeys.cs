using System.Runtime.CompilerServices;

namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// Neighbour candidates as single ulongs, the bits of a non-negative float distance above an index, so that
/// comparing keys compares distances and breaks ties by the lower index; and the max-heap of at most k keys that
/// keeps the k smallest offered.
/// </summary>
public static class CandidateKeys
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(float distance, int index)
    {
        // +0 for -0 and for tiny negative round-off, so the bit pattern orders like the value.
        var clamped = distance > 0 ? distance : 0f;
        return ((ulong)BitConverter.SingleToUInt32Bits(clamped) << 32) | (uint)index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ulong key) => BitConverter.UInt32BitsToSingle((uint)(key >> 32));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(ulong key) => (int)(uint)key;

    /// <summary>
    /// Offers a key to a max-heap whose first <paramref name="count"/> places are filled, of capacity
    /// <paramref name="heap"/>.Length: it enters while the heap has room, or in place of the largest key it beats.
    /// </summary>
    public static void Offer(Span<ulong> heap, ref int count, ulong key)
    {
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
        var node = 0;
        while (true)
        {
            var larger = 2 * node + 1;
            if (larger >= count) break;
            if (larger + 1 < count && heap[larger + 1] > heap[larger]) larger++;
            if (heap[larger] <= key) break;
            heap[node] = heap[larger];
            node = larger;
        }
        heap[node] = key;
    }
}
