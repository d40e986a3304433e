using System.Collections.Concurrent;
using System.Numerics;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// Stage layout, twiddle factors and output ordering of a complex FFT of length 2^k or 3 * 2^k: radix-4 stages,
/// preceded by one radix-2 stage when k is odd, with one radix-3 stage after the first for lengths 3 * 2^k (the
/// factor 3 halves the jump between admissible sizes). Forward transforms run decimation-in-frequency (natural
/// input, scrambled output) and inverse transforms are their exact mirror, decimation-in-time (scrambled input,
/// natural output), so a convolution never pays for the reordering: it multiplies the spectra in scrambled order.
/// Immutable and cached.
/// </summary>
internal sealed class FftPlan
{
    private static readonly ConcurrentDictionary<int, FftPlan> Cache = new();

    private FftPlan(int length)
    {
        Length = length;
        var hasThree = length % 3 == 0;
        var log2 = BitOperations.Log2((uint)(hasThree ? length / 3 : length));
        var radices = new List<int>();
        // The radix-2 stage goes first, where its span is half the length: that is the stage a half-zero input lets
        // us prune, and a radix-2 butterfly with a zero partner is just a twiddle multiply. The radix-3 stage goes
        // second, so the first (pruned) stage always splits the length in halves or quarters.
        if (log2 % 2 == 1) radices.Add(2);
        for (var i = 0; i < log2 / 2; i++) radices.Add(4);
        if (hasThree) radices.Insert(Math.Min(1, radices.Count), 3);
        Radices = [.. radices];
        Spans = new int[Radices.Length];
        TwiddleOffsets = new int[Radices.Length];

        var span = length;
        var twiddleCount = 0;
        for (var s = 0; s < Radices.Length; s++)
        {
            span /= Radices[s];
            Spans[s] = span;
            TwiddleOffsets[s] = twiddleCount;
            twiddleCount += span * 2 * (Radices[s] - 1);
        }

        // Twiddles are computed in double and rounded once, so every stage starts from correctly rounded factors.
        // Per stage and per butterfly index j: (re, im) of w^j, w^2j, w^3j with w = exp(-2 pi i / (radix * span)).
        Twiddles = new float[twiddleCount];
        for (var s = 0; s < Radices.Length; s++)
        {
            var radix = Radices[s];
            var group = radix * Spans[s];
            for (var j = 0; j < Spans[s]; j++)
            {
                for (var m = 1; m < radix; m++)
                {
                    var angle = -2 * Math.PI * ((long)j * m % group) / group;
                    var at = TwiddleOffsets[s] + (j * (radix - 1) + m - 1) * 2;
                    Twiddles[at] = (float)Math.Cos(angle);
                    Twiddles[at + 1] = (float)Math.Sin(angle);
                }
            }
        }

        ScrambledToNatural = new int[length];
        FillOrder(ScrambledToNatural, 0, length, 0);
    }

    /// <summary>Transform length, 2^k or 3 * 2^k.</summary>
    public int Length { get; }

    /// <summary>Radix of each stage, in forward (decimation-in-frequency) order.</summary>
    public int[] Radices { get; }

    /// <summary>Distance between the legs of each stage's butterflies.</summary>
    public int[] Spans { get; }

    /// <summary>Where each stage's twiddles start in <see cref="Twiddles"/>.</summary>
    public int[] TwiddleOffsets { get; }

    /// <summary>Interleaved (re, im) twiddles, (radix - 1) per butterfly index and stage.</summary>
    public float[] Twiddles { get; }

    /// <summary>The frequency held at each position of a forward transform's output.</summary>
    public int[] ScrambledToNatural { get; }

    public static FftPlan ForLength(int length)
    {
        if (!IsSupported(length))
            throw new ArgumentOutOfRangeException(nameof(length), length, "The FFT length must be 2^k or 3 * 2^k.");
        return Cache.GetOrAdd(length, static n => new FftPlan(n));
    }

    /// <summary>Whether <paramref name="length"/> is 2^k or 3 * 2^k.</summary>
    public static bool IsSupported(int length) =>
        length >= 1 && (BitOperations.IsPow2(length) || (length % 3 == 0 && BitOperations.IsPow2(length / 3)));

    /// <summary>
    /// The smallest supported length of at least <paramref name="minimum"/> that is a multiple of
    /// <paramref name="multiple"/> (a power of two).
    /// </summary>
    public static int SmallestAtLeast(long minimum, int multiple)
    {
        long best = long.MaxValue;
        for (long candidate = multiple; candidate < 2 * Math.Max(minimum, multiple) + multiple; candidate *= 2)
        {
            if (candidate >= minimum) best = Math.Min(best, candidate);
            if (3 * candidate >= minimum) best = Math.Min(best, 3 * candidate);
        }
        if (best > int.MaxValue / 4)
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "The FFT would be too large.");
        return (int)best;
    }

    // A stage of radix r over a block of n positions leaves, in sub-block m, the n/r-point problem whose outputs are
    // the frequencies congruent to m mod r; recursing gives frequency = m + r * (frequency within the sub-block).
    private void FillOrder(int[] order, int start, int count, int stage)
    {
        if (count == 1)
        {
            order[start] = 0;
            return;
        }
        var radix = Radices[stage];
        var sub = count / radix;
        for (var m = 0; m < radix; m++)
        {
            FillOrder(order, start + m * sub, sub, stage + 1);
            for (var k = 0; k < sub; k++) order[start + m * sub + k] = m + radix * order[start + m * sub + k];
        }
    }
}
