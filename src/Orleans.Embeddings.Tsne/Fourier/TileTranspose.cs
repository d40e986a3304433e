using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// Transposes 16 x 16 tiles of floats. The 2-D convolution moves data between lane layouts (lanes along one grid
/// axis, then along the other) through these tiles, so they sit on the hot path; AVX does an 8 x 8 block in
/// registers.
/// </summary>
internal static unsafe class TileTranspose
{
    /// <summary>dst[c * dstStride + r] = src[r * srcStride + c] for r, c in 0..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose16(float* src, int srcStride, float* dst, int dstStride)
    {
        if (Avx.IsSupported)
        {
            Transpose8(src, srcStride, dst, dstStride);
            Transpose8(src + 8, srcStride, dst + 8 * dstStride, dstStride);
            Transpose8(src + 8 * srcStride, srcStride, dst + 8, dstStride);
            Transpose8(src + 8 * srcStride + 8, srcStride, dst + 8 * dstStride + 8, dstStride);
            return;
        }
        for (var r = 0; r < 16; r++)
            for (var c = 0; c < 16; c++)
                dst[c * dstStride + r] = src[r * srcStride + c];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8(float* src, int srcStride, float* dst, int dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);

        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }
}
