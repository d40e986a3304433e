using Orleans.Embeddings.Tsne.Fourier;

namespace Orleans.Embeddings.Tsne.Tests.Fourier;

public class ComplexFftTests
{
    // Single precision: rounding grows like sqrt(log n) * 6e-8; 1e-5 leaves room but catches any wrong twiddle.
    private const double Tolerance = 1e-5;

    // Powers of two and three times powers of two (the radix-3 stage).
    public static TheoryData<int> Lengths => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 3, 6, 12, 24, 48, 96, 192, 384, 768];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Forward_MatchesNaiveDft(int n)
    {
        var (re, im) = NaiveDft.RandomSignal(n, seed: n);
        var (expectedRe, expectedIm) = NaiveDft.Transform(re, im, inverse: false);

        ComplexFft.Forward(re, im);

        Assert.True(NaiveDft.RelativeError(re, im, expectedRe, expectedIm) < Tolerance);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Inverse_MatchesNaiveInverseDft(int n)
    {
        var (re, im) = NaiveDft.RandomSignal(n, seed: 100 + n);
        var (expectedRe, expectedIm) = NaiveDft.Transform(re, im, inverse: true);

        ComplexFft.Inverse(re, im);

        Assert.True(NaiveDft.RelativeError(re, im, expectedRe, expectedIm) < Tolerance);
    }

    [Fact]
    public void ForwardThenInverse_RestoresTheSignal()
    {
        var (re, im) = NaiveDft.RandomSignal(1024, seed: 7);
        var (copyRe, copyIm) = ((float[])re.Clone(), (float[])im.Clone());

        ComplexFft.Forward(re, im);
        ComplexFft.Inverse(re, im);

        var expectedRe = Array.ConvertAll(copyRe, x => (double)x);
        var expectedIm = Array.ConvertAll(copyIm, x => (double)x);
        Assert.True(NaiveDft.RelativeError(re, im, expectedRe, expectedIm) < Tolerance);
    }

    [Fact]
    public void Forward_OfAnImpulse_IsFlat()
    {
        var re = new float[64];
        var im = new float[64];
        re[0] = 1;

        ComplexFft.Forward(re, im);

        Assert.All(re, x => Assert.Equal(1f, x, 6));
        Assert.All(im, x => Assert.Equal(0f, x, 6));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(9)]
    public void UnsupportedLength_Throws(int n)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ComplexFft.Forward(new float[n], new float[n]));
    }

    [Fact]
    public void MismatchedParts_Throw()
    {
        Assert.Throws<ArgumentException>(() => ComplexFft.Forward(new float[8], new float[4]));
    }
}
