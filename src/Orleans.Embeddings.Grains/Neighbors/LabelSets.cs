using System.Numerics;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// For each label, the bitset of the keys that carry it, so that a label filter costs one OR per wanted label over
/// N / 64 words instead of a look at every row's labels. Thread-safe: writers and the filters built for
/// searches take turns on one lock, which guards only word copies.
/// </summary>
public sealed class LabelSets
{
    private readonly Dictionary<string, ulong[]> sets = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private int words;

    /// <summary>Marks <paramref name="key"/> as carrying each of the labels.</summary>
    public void Add(int key, IReadOnlyList<string> labels)
    {
        lock (gate)
        {
            Grow(key);
            foreach (var label in labels)
            {
                if (!sets.TryGetValue(label, out var bits)) sets[label] = bits = new ulong[words];
                bits[key >> 6] |= 1UL << (key & 63);
            }
        }
    }

    /// <summary>Clears <paramref name="key"/> from each of the labels.</summary>
    public void Remove(int key, IReadOnlyList<string> labels)
    {
        lock (gate)
        {
            foreach (var label in labels)
                if (sets.TryGetValue(label, out var bits) && key >> 6 < bits.Length)
                    bits[key >> 6] &= ~(1UL << (key & 63));
        }
    }

    /// <summary>
    /// The keys below <paramref name="limit"/> that carry at least one of the labels, as a bitset of
    /// ceil(limit / 64) words, and how many there are.
    /// </summary>
    public (ulong[] Bits, int Count) Filter(IReadOnlyList<string> labels, int limit)
    {
        var result = new ulong[(limit + 63) >> 6];
        lock (gate)
        {
            foreach (var label in labels)
            {
                if (!sets.TryGetValue(label, out var bits)) continue;
                var span = Math.Min(bits.Length, result.Length);
                for (var w = 0; w < span; w++) result[w] |= bits[w];
            }
        }
        if ((limit & 63) != 0 && result.Length > 0) result[^1] &= (1UL << (limit & 63)) - 1;
        var count = 0;
        foreach (var word in result) count += BitOperations.PopCount(word);
        return (result, count);
    }

    private void Grow(int key)
    {
        var needed = (key >> 6) + 1;
        if (needed <= words) return;
        var grown = Math.Max(needed, words * 2);
        foreach (var label in sets.Keys.ToArray())
        {
            var bits = sets[label];
            Array.Resize(ref bits, grown);
            sets[label] = bits;
        }
        words = grown;
    }
}
