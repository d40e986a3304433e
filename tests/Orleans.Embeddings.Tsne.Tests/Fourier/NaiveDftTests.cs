namespace Orleans.Embeddings.Tsne.Tests.Fourier;

/// <summary>Checks on the reference itself, so the FFT tests compare against something known to be right.</summary>
public class NaiveDftTests
{
    [Fact]
    public void Impulse_TransformsToAConstant()
    {
        var re = new float[8];
        var im = new float[8];
        re[3] = 2;

        var (outRe, outIm) = NaiveDft.Transform(re, im, inverse: false);

        for (var k = 0; k < 8; k++)
        {
            // 2 e^(-2 pi i 3k / 8)
            Assert.Equal(2 * Math.Cos(-2 * Math.PI * 3 * k / 8), outRe[k], 12);
            Assert.Equal(2 * Math.Sin(-2 * Math.PI * 3 * k / 8), outIm[k], 12);
        }
    }

    [Fact]
    public void ForwardThenInverse_IsTheIdentity_AndParsevalHolds()
    {
        var (re, im) = NaiveDft.RandomSignal(12, seed: 1);

        var (fRe, fIm) = NaiveDft.Transform(re, im, inverse: false);
        var (bRe, bIm) = NaiveDft.Transform(Array.ConvertAll(fRe, x => (float)x), Array.ConvertAll(fIm, x => (float)x), inverse: true);

        double energy = 0, spectrum = 0;
        for (var k = 0; k < 12; k++)
        {
            Assert.Equal(re[k], bRe[k], 5);
            Assert.Equal(im[k], bIm[k], 5);
            energy += (double)re[k] * re[k] + (double)im[k] * im[k];
            spectrum += fRe[k] * fRe[k] + fIm[k] * fIm[k];
        }
        Assert.Equal(energy * 12, spectrum, 1e-12 * spectrum);
    }
}

/// <summary>The O(n^2) definition of the DFT in double precision: the reference for the FFT tests.</summary>
internal static class NaiveDft
{
    public static (double[] Real, double[] Imaginary) Transform(float[] real, float[] imaginary, bool inverse)
    {
        var n = real.Length;
        var sign = inverse ? 1.0 : -1.0;
        var outRe = new double[n];
        var outIm = new double[n];
        for (var k = 0; k < n; k++)
        {
            double sumRe = 0, sumIm = 0;
            for (var t = 0; t < n; t++)
            {
                var angle = sign * 2 * Math.PI * ((long)k * t % n) / n;
                var (sin, cos) = Math.SinCos(angle);
                sumRe += real[t] * cos - imaginary[t] * sin;
                sumIm += real[t] * sin + imaginary[t] * cos;
            }
            outRe[k] = inverse ? sumRe / n : sumRe;
            outIm[k] = inverse ? sumIm / n : sumIm;
        }
        return (outRe, outIm);
    }

    public static (double[] Real, double[] Imaginary) Transform2D(
        float[] real, float[] imaginary, int rows, int columns, bool inverse)
    {
        var sign = inverse ? 1.0 : -1.0;
        var outRe = new double[rows * columns];
        var outIm = new double[rows * columns];
        for (var k0 = 0; k0 < rows; k0++)
        for (var k1 = 0; k1 < columns; k1++)
        {
            double sumRe = 0, sumIm = 0;
            for (var t0 = 0; t0 < rows; t0++)
            for (var t1 = 0; t1 < columns; t1++)
            {
                var phase = (double)((long)k0 * t0 % rows) / rows + (double)((long)k1 * t1 % columns) / columns;
                var (sin, cos) = Math.SinCos(sign * 2 * Math.PI * phase);
                var at = t0 * columns + t1;
                sumRe += real[at] * cos - imaginary[at] * sin;
                sumIm += real[at] * sin + imaginary[at] * cos;
            }
            var scale = inverse ? 1.0 / (rows * columns) : 1.0;
            outRe[k0 * columns + k1] = sumRe * scale;
            outIm[k0 * columns + k1] = sumIm * scale;
        }
        return (outRe, outIm);
    }

    public static (float[] Real, float[] Imaginary) RandomSignal(int n, int seed)
    {
        var random = new Random(seed);
        var re = new float[n];
        var im = new float[n];
        for (var i = 0; i < n; i++)
        {
            re[i] = (float)(random.NextDouble() * 2 - 1);
            im[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return (re, im);
    }

    /// <summary>||actual - expected||_2 / ||expected||_2 over both parts.</summary>
    public static double RelativeError(float[] actualRe, float[] actualIm, double[] expectedRe, double[] expectedIm)
    {
        double error = 0, norm = 0;
        for (var i = 0; i < expectedRe.Length; i++)
        {
            error += Square(actualRe[i] - expectedRe[i]) + Square(actualIm[i] - expectedIm[i]);
            norm += Square(expectedRe[i]) + Square(expectedIm[i]);
        }
        return norm == 0 ? Math.Sqrt(error) : Math.Sqrt(error / norm);
    }

    private static double Square(double x) => x * x;
}
