using System.Numerics;
using System.Runtime.CompilerServices;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// In-place complex FFTs of <see cref="Lanes"/> independent signals at once, stored planar and lane-interleaved:
/// element i of lane l is at <c>re[i * Lanes + l]</c>. Every butterfly applies the same twiddle to all lanes, so the
/// SIMD runs across signals with broadcast twiddles and no shuffles; the grids of a 2-D convolution always have a
/// spare axis to put in the lanes. Outputs of <see cref="Forward"/> are in the plan's scrambled order, which is
/// exactly the input order <see cref="Inverse"/> expects; both are unnormalised (a round trip multiplies by the
/// length).
/// </summary>
internal static unsafe class LaneFft
{
    /// <summary>Signals per batch: a multiple of every <see cref="Vector{T}"/> width (4, 8 or 16 floats).</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Forward transform. With <paramref name="upperHalfZero"/> the elements at index length/2 and above are taken
    /// as zero and never read (zero padding for a linear convolution costs no memory traffic).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(FftPlan plan, float* re, float* im, bool upperHalfZero)
    {
        fixed (float* twiddles = plan.Twiddles)
        {
            // Breadth-first while a stage's groups are larger than the L1 cache, then depth-first: each remaining
            // group runs all its later stages while it is still in L1. Same arithmetic, same order per element.
            var stages = plan.Radices.Length;
            var s = 0;
            for (; s < stages && plan.Spans[s] * plan.Radices[s] > L1Elements; s++)
                ForwardStage(plan, twiddles, s, re, im, plan.Length, upperHalfZero && s == 0);
            if (s == stages) return;
            var group = plan.Spans[s] * plan.Radices[s];
            for (var g = 0; g < plan.Length; g += group)
            {
                for (var t = s; t < stages; t++)
                    ForwardStage(plan, twiddles, t, re + g * Lanes, im + g * Lanes, group, upperHalfZero && t == 0);
            }
        }
    }

    /// <summary>
    /// Inverse (unnormalised) transform of a scrambled spectrum. With <paramref name="lowerHalfOnly"/> only the
    /// outputs below length/2 are computed; the rest of the buffer is left holding intermediate values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Inverse(FftPlan plan, float* re, float* im, bool lowerHalfOnly)
    {
        fixed (float* twiddles = plan.Twiddles)
        {
            var stages = plan.Radices.Length;
            var s = 0;
            while (s < stages && plan.Spans[s] * plan.Radices[s] > L1Elements) s++;
            if (s < stages)
            {
                var group = plan.Spans[s] * plan.Radices[s];
                for (var g = 0; g < plan.Length; g += group)
                {
                    for (var t = stages - 1; t >= s; t--)
                        InverseStage(plan, twiddles, t, re + g * Lanes, im + g * Lanes, group, lowerHalfOnly && t == 0);
                }
            }
            for (var t = s - 1; t >= 0; t--)
                InverseStage(plan, twiddles, t, re, im, plan.Length, lowerHalfOnly && t == 0);
        }
    }

    // Elements (of all lanes, real and imaginary) that fit comfortably in a 32 KiB L1 data cache.
    private const int L1Elements = 128;

    private static void ForwardStage(FftPlan plan, float* twiddles, int s, float* re, float* im, int length, bool pruned)
    {
        var span = plan.Spans[s];
        var tw = twiddles + plan.TwiddleOffsets[s];
        if (plan.Radices[s] == 2)
        {
            if (pruned) ForwardRadix2HalfZero(re, im, span, tw);
            else ForwardRadix2(re, im, length, span, tw);
        }
        else if (plan.Radices[s] == 3)
        {
            // Only a length-3 plan starts with radix 3, and nothing prunes one.
            if (pruned) throw new InvalidOperationException("A length-3 transform cannot skip its upper half.");
            ForwardRadix3(re, im, length, span, tw);
        }
        else if (pruned) ForwardRadix4HalfZero(re, im, span, tw);
        else if (span == 1) Radix4NoTwiddle(re, im, length, inverse: false);
        else ForwardRadix4(re, im, length, span, tw);
    }

    private static void InverseStage(FftPlan plan, float* twiddles, int s, float* re, float* im, int length, bool pruned)
    {
        var span = plan.Spans[s];
        var tw = twiddles + plan.TwiddleOffsets[s];
        if (plan.Radices[s] == 2)
        {
            if (pruned) InverseRadix2LowerHalf(re, im, span, tw);
            else InverseRadix2(re, im, length, span, tw);
        }
        else if (plan.Radices[s] == 3)
        {
            // Computing the upper half as well is harmless.
            InverseRadix3(re, im, length, span, tw);
        }
        else if (pruned) InverseRadix4LowerHalf(re, im, span, tw);
        else if (span == 1) Radix4NoTwiddle(re, im, length, inverse: true);
        else InverseRadix4(re, im, length, span, tw);
    }

    // One multiply and one fused multiply-add per component.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Multiply(
        Vector<float> ar, Vector<float> ai, Vector<float> wr, Vector<float> wi,
        out Vector<float> real, out Vector<float> imaginary)
    {
        real = Vector.FusedMultiplyAdd(ai, -wi, ar * wr);
        imaginary = Vector.FusedMultiplyAdd(ar, wi, ai * wr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyConjugate(
        Vector<float> ar, Vector<float> ai, Vector<float> wr, Vector<float> wi,
        out Vector<float> real, out Vector<float> imaginary)
    {
        real = Vector.FusedMultiplyAdd(ai, wi, ar * wr);
        imaginary = Vector.FusedMultiplyAdd(ar, -wi, ai * wr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRadix2(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var g = 0; g < length; g += 2 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var wr = new Vector<float>(tw[2 * j]);
                var wi = new Vector<float>(tw[2 * j + 1]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var ar = Vector.Load(r + v); var ai = Vector.Load(i + v);
                    var br = Vector.Load(r + stride + v); var bi = Vector.Load(i + stride + v);
                    Vector.Store(ar + br, r + v); Vector.Store(ai + bi, i + v);
                    Multiply(ar - br, ai - bi, wr, wi, out var yr, out var yi);
                    Vector.Store(yr, r + stride + v); Vector.Store(yi, i + stride + v);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRadix2HalfZero(float* re, float* im, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var j = 0; j < span; j++)
        {
            var wr = new Vector<float>(tw[2 * j]);
            var wi = new Vector<float>(tw[2 * j + 1]);
            var r = re + j * Lanes;
            var i = im + j * Lanes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                var ar = Vector.Load(r + v); var ai = Vector.Load(i + v);
                Multiply(ar, ai, wr, wi, out var yr, out var yi);
                Vector.Store(yr, r + stride + v); Vector.Store(yi, i + stride + v);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseRadix2(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var g = 0; g < length; g += 2 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var wr = new Vector<float>(tw[2 * j]);
                var wi = new Vector<float>(tw[2 * j + 1]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var ar = Vector.Load(r + v); var ai = Vector.Load(i + v);
                    MultiplyConjugate(Vector.Load(r + stride + v), Vector.Load(i + stride + v), wr, wi,
                        out var br, out var bi);
                    Vector.Store(ar + br, r + v); Vector.Store(ai + bi, i + v);
                    Vector.Store(ar - br, r + stride + v); Vector.Store(ai - bi, i + stride + v);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseRadix2LowerHalf(float* re, float* im, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var j = 0; j < span; j++)
        {
            var wr = new Vector<float>(tw[2 * j]);
            var wi = new Vector<float>(tw[2 * j + 1]);
            var r = re + j * Lanes;
            var i = im + j * Lanes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                MultiplyConjugate(Vector.Load(r + stride + v), Vector.Load(i + stride + v), wr, wi,
                    out var br, out var bi);
                Vector.Store(Vector.Load(r + v) + br, r + v); Vector.Store(Vector.Load(i + v) + bi, i + v);
            }
        }
    }

    // sin(2 pi / 3): with omega = exp(-2 pi i / 3) = -1/2 - i S, a + omega b + omega^2 c = a - (b + c)/2 - i S (b - c).
    private const float Sin60 = 0.8660254037844386f;

    // y_m = (sum_l x_l omega^(l m)) w^(j m) for the legs l, m = 0..2 of a span-q butterfly; y_m stays at leg m.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRadix3(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        var half = new Vector<float>(0.5f);
        var sin60 = new Vector<float>(Sin60);
        for (var g = 0; g < length; g += 3 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var t = tw + 4 * j;
                var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
                var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var r0 = r + v; var i0 = i + v;
                    var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                    var br = Vector.Load(r0 + stride); var bi = Vector.Load(i0 + stride);
                    var cr = Vector.Load(r0 + 2 * stride); var ci = Vector.Load(i0 + 2 * stride);
                    var sr = br + cr; var si = bi + ci;
                    var mr = ar - sr * half; var mi = ai - si * half;
                    var dr = (br - cr) * sin60; var di = (bi - ci) * sin60;
                    Vector.Store(ar + sr, r0); Vector.Store(ai + si, i0);
                    // m - i d and m + i d
                    Multiply(mr + di, mi - dr, w1r, w1i, out var y1r, out var y1i);
                    Vector.Store(y1r, r0 + stride); Vector.Store(y1i, i0 + stride);
                    Multiply(mr - di, mi + dr, w2r, w2i, out var y2r, out var y2i);
                    Vector.Store(y2r, r0 + 2 * stride); Vector.Store(y2i, i0 + 2 * stride);
                }
            }
        }
    }

    // Mirror of ForwardRadix3: x_l = sum_m y_m conj(w^(j m)) conj(omega)^(l m).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseRadix3(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        var half = new Vector<float>(0.5f);
        var sin60 = new Vector<float>(Sin60);
        for (var g = 0; g < length; g += 3 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var t = tw + 4 * j;
                var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
                var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var r0 = r + v; var i0 = i + v;
                    var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                    MultiplyConjugate(Vector.Load(r0 + stride), Vector.Load(i0 + stride), w1r, w1i, out var br, out var bi);
                    MultiplyConjugate(Vector.Load(r0 + 2 * stride), Vector.Load(i0 + 2 * stride), w2r, w2i,
                        out var cr, out var ci);
                    var sr = br + cr; var si = bi + ci;
                    var mr = ar - sr * half; var mi = ai - si * half;
                    var dr = (br - cr) * sin60; var di = (bi - ci) * sin60;
                    Vector.Store(ar + sr, r0); Vector.Store(ai + si, i0);
                    // m + i d and m - i d
                    Vector.Store(mr - di, r0 + stride); Vector.Store(mi + dr, i0 + stride);
                    Vector.Store(mr + di, r0 + 2 * stride); Vector.Store(mi - dr, i0 + 2 * stride);
                }
            }
        }
    }

    // y_m = (sum_l x_l (-i)^(l m)) w^(j m) for the legs l, m = 0..3 of a span-q butterfly; y_m stays at leg m.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRadix4(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var g = 0; g < length; g += 4 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var t = tw + 6 * j;
                var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
                var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
                var w3r = new Vector<float>(t[4]); var w3i = new Vector<float>(t[5]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var r0 = r + v; var i0 = i + v;
                    var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                    var br = Vector.Load(r0 + stride); var bi = Vector.Load(i0 + stride);
                    var cr = Vector.Load(r0 + 2 * stride); var ci = Vector.Load(i0 + 2 * stride);
                    var dr = Vector.Load(r0 + 3 * stride); var di = Vector.Load(i0 + 3 * stride);
                    var t0r = ar + cr; var t0i = ai + ci;
                    var t1r = ar - cr; var t1i = ai - ci;
                    var t2r = br + dr; var t2i = bi + di;
                    var t3r = br - dr; var t3i = bi - di;
                    Vector.Store(t0r + t2r, r0); Vector.Store(t0i + t2i, i0);
                    Multiply(t1r + t3i, t1i - t3r, w1r, w1i, out var y1r, out var y1i);
                    Vector.Store(y1r, r0 + stride); Vector.Store(y1i, i0 + stride);
                    Multiply(t0r - t2r, t0i - t2i, w2r, w2i, out var y2r, out var y2i);
                    Vector.Store(y2r, r0 + 2 * stride); Vector.Store(y2i, i0 + 2 * stride);
                    Multiply(t1r - t3i, t1i + t3r, w3r, w3i, out var y3r, out var y3i);
                    Vector.Store(y3r, r0 + 3 * stride); Vector.Store(y3i, i0 + 3 * stride);
                }
            }
        }
    }

    // The first stage when legs 2 and 3 (the upper half) are zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRadix4HalfZero(float* re, float* im, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var j = 0; j < span; j++)
        {
            var t = tw + 6 * j;
            var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
            var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
            var w3r = new Vector<float>(t[4]); var w3i = new Vector<float>(t[5]);
            var r = re + j * Lanes;
            var i = im + j * Lanes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                var r0 = r + v; var i0 = i + v;
                var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                var br = Vector.Load(r0 + stride); var bi = Vector.Load(i0 + stride);
                Vector.Store(ar + br, r0); Vector.Store(ai + bi, i0);
                Multiply(ar + bi, ai - br, w1r, w1i, out var y1r, out var y1i);
                Vector.Store(y1r, r0 + stride); Vector.Store(y1i, i0 + stride);
                Multiply(ar - br, ai - bi, w2r, w2i, out var y2r, out var y2i);
                Vector.Store(y2r, r0 + 2 * stride); Vector.Store(y2i, i0 + 2 * stride);
                Multiply(ar - bi, ai + br, w3r, w3i, out var y3r, out var y3i);
                Vector.Store(y3r, r0 + 3 * stride); Vector.Store(y3i, i0 + 3 * stride);
            }
        }
    }

    // The last forward / first inverse stage: span 1, every twiddle is 1, groups of four adjacent elements.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Radix4NoTwiddle(float* re, float* im, int length, bool inverse)
    {
        const int stride = Lanes;
        for (var g = 0; g < length; g += 4)
        {
            var r = re + g * Lanes;
            var i = im + g * Lanes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                var r0 = r + v; var i0 = i + v;
                var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                var br = Vector.Load(r0 + stride); var bi = Vector.Load(i0 + stride);
                var cr = Vector.Load(r0 + 2 * stride); var ci = Vector.Load(i0 + 2 * stride);
                var dr = Vector.Load(r0 + 3 * stride); var di = Vector.Load(i0 + 3 * stride);
                var t0r = ar + cr; var t0i = ai + ci;
                var t1r = ar - cr; var t1i = ai - ci;
                var t2r = br + dr; var t2i = bi + di;
                var t3r = br - dr; var t3i = bi - di;
                Vector.Store(t0r + t2r, r0); Vector.Store(t0i + t2i, i0);
                Vector.Store(t0r - t2r, r0 + 2 * stride); Vector.Store(t0i - t2i, i0 + 2 * stride);
                if (inverse)
                {
                    Vector.Store(t1r - t3i, r0 + stride); Vector.Store(t1i + t3r, i0 + stride);
                    Vector.Store(t1r + t3i, r0 + 3 * stride); Vector.Store(t1i - t3r, i0 + 3 * stride);
                }
                else
                {
                    Vector.Store(t1r + t3i, r0 + stride); Vector.Store(t1i - t3r, i0 + stride);
                    Vector.Store(t1r - t3i, r0 + 3 * stride); Vector.Store(t1i + t3r, i0 + 3 * stride);
                }
            }
        }
    }

    // Mirror of ForwardRadix4: x_l = sum_m y_m conj(w^(j m)) i^(l m).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseRadix4(float* re, float* im, int length, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var g = 0; g < length; g += 4 * span)
        {
            for (var j = 0; j < span; j++)
            {
                var t = tw + 6 * j;
                var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
                var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
                var w3r = new Vector<float>(t[4]); var w3i = new Vector<float>(t[5]);
                var r = re + (g + j) * Lanes;
                var i = im + (g + j) * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    var r0 = r + v; var i0 = i + v;
                    var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                    MultiplyConjugate(Vector.Load(r0 + stride), Vector.Load(i0 + stride), w1r, w1i,
                        out var br, out var bi);
                    MultiplyConjugate(Vector.Load(r0 + 2 * stride), Vector.Load(i0 + 2 * stride), w2r, w2i,
                        out var cr, out var ci);
                    MultiplyConjugate(Vector.Load(r0 + 3 * stride), Vector.Load(i0 + 3 * stride), w3r, w3i,
                        out var dr, out var di);
                    var s0r = ar + cr; var s0i = ai + ci;
                    var s1r = ar - cr; var s1i = ai - ci;
                    var s2r = br + dr; var s2i = bi + di;
                    var s3r = br - dr; var s3i = bi - di;
                    Vector.Store(s0r + s2r, r0); Vector.Store(s0i + s2i, i0);
                    Vector.Store(s1r - s3i, r0 + stride); Vector.Store(s1i + s3r, i0 + stride);
                    Vector.Store(s0r - s2r, r0 + 2 * stride); Vector.Store(s0i - s2i, i0 + 2 * stride);
                    Vector.Store(s1r + s3i, r0 + 3 * stride); Vector.Store(s1i - s3r, i0 + 3 * stride);
                }
            }
        }
    }

    // The last inverse stage when only legs 0 and 1 (the lower half) are wanted.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InverseRadix4LowerHalf(float* re, float* im, int span, float* tw)
    {
        var stride = span * Lanes;
        for (var j = 0; j < span; j++)
        {
            var t = tw + 6 * j;
            var w1r = new Vector<float>(t[0]); var w1i = new Vector<float>(t[1]);
            var w2r = new Vector<float>(t[2]); var w2i = new Vector<float>(t[3]);
            var w3r = new Vector<float>(t[4]); var w3i = new Vector<float>(t[5]);
            var r = re + j * Lanes;
            var i = im + j * Lanes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                var r0 = r + v; var i0 = i + v;
                var ar = Vector.Load(r0); var ai = Vector.Load(i0);
                MultiplyConjugate(Vector.Load(r0 + stride), Vector.Load(i0 + stride), w1r, w1i, out var br, out var bi);
                MultiplyConjugate(Vector.Load(r0 + 2 * stride), Vector.Load(i0 + 2 * stride), w2r, w2i,
                    out var cr, out var ci);
                MultiplyConjugate(Vector.Load(r0 + 3 * stride), Vector.Load(i0 + 3 * stride), w3r, w3i,
                    out var dr, out var di);
                var s0r = ar + cr; var s0i = ai + ci;
                var s1r = ar - cr; var s1i = ai - ci;
                var s2r = br + dr; var s2i = bi + di;
                var s3r = br - dr; var s3i = bi - di;
                Vector.Store(s0r + s2r, r0); Vector.Store(s0i + s2i, i0);
                Vector.Store(s1r - s3i, r0 + stride); Vector.Store(s1i + s3r, i0 + stride);
            }
        }
    }
}
