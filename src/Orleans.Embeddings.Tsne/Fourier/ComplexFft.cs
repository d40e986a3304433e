using System.Buffers;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// Complex discrete Fourier transforms of length 2^k or 3 * 2^k on planar (separate real and imaginary) single
/// precision data, in natural order: forward X[k] = sum_n x[n] e^(-2 pi i k n / N), inverse
/// x[n] = (1/N) sum_k X[k] e^(2 pi i k n / N). For bulk work (convolutions) the library uses the unordered lane
/// kernels directly; this is the general-purpose, allocation-light entry point.
/// </summary>
public static class ComplexFft
{
    /// <summary>Forward transform of one signal, in place.</summary>
    public static void Forward(Span<float> real, Span<float> imaginary) =>
        Transform(real, imaginary, real.Length, count: 1, elementStride: 1, signalStride: real.Length, inverse: false);

    /// <summary>Inverse transform of one spectrum, in place, including the 1/N factor.</summary>
    public static void Inverse(Span<float> real, Span<float> imaginary) =>
        Transform(real, imaginary, real.Length, count: 1, elementStride: 1, signalStride: real.Length, inverse: true);

    /// <summary>
    /// Transforms <paramref name="count"/> signals of <paramref name="length"/> elements in place, signal s element k
    /// at <c>s * signalStride + k * elementStride</c>. Signals are processed sixteen at a time in a lane buffer.
    /// </summary>
    internal static unsafe void Transform(
        Span<float> real, Span<float> imaginary, int length, int count, int elementStride, int signalStride, bool inverse)
    {
        if (real.Length != imaginary.Length)
            throw new ArgumentException("Real and imaginary parts must have the same length.", nameof(imaginary));
        if (length == 0 || count == 0) return;
        var plan = FftPlan.ForLength(length);
        if (length == 1) return;
        var last = (long)(count - 1) * signalStride + (long)(length - 1) * elementStride;
        if (last >= real.Length) throw new ArgumentException("The signals do not fit in the buffers.", nameof(real));

        const int lanes = LaneFft.Lanes;
        var order = plan.ScrambledToNatural;
        var scale = inverse ? 1f / length : 1f;
        var bufferRe = ArrayPool<float>.Shared.Rent(length * lanes);
        var bufferIm = ArrayPool<float>.Shared.Rent(length * lanes);
        try
        {
            fixed (float* br = bufferRe, bi = bufferIm)
            {
                for (var first = 0; first < count; first += lanes)
                {
                    var batch = Math.Min(lanes, count - first);
                    new Span<float>(br, length * lanes).Clear();
                    new Span<float>(bi, length * lanes).Clear();
                    for (var l = 0; l < batch; l++)
                    {
                        var start = (first + l) * signalStride;
                        for (var p = 0; p < length; p++)
                        {
                            // The inverse kernel expects its input in scrambled order: position p holds frequency order[p].
                            var source = start + (inverse ? order[p] : p) * elementStride;
                            br[p * lanes + l] = real[source];
                            bi[p * lanes + l] = imaginary[source];
                        }
                    }
                    if (inverse) LaneFft.Inverse(plan, br, bi, lowerHalfOnly: false);
                    else LaneFft.Forward(plan, br, bi, upperHalfZero: false);
                    for (var l = 0; l < batch; l++)
                    {
                        var start = (first + l) * signalStride;
                        for (var p = 0; p < length; p++)
                        {
                            var target = start + (inverse ? p : order[p]) * elementStride;
                            real[target] = br[p * lanes + l] * scale;
                            imaginary[target] = bi[p * lanes + l] * scale;
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bufferRe);
            ArrayPool<float>.Shared.Return(bufferIm);
        }
    }
}
