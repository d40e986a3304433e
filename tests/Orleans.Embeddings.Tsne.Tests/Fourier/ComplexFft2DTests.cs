using Orleans.Embeddings.Tsne.Fourier;

namespace Orleans.Embeddings.Tsne.Tests.Fourier;

public class ComplexFft2DTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 1 }, { 1, 8 }, { 8, 1 }, { 2, 8 }, { 8, 2 }, { 4, 4 }, { 16, 32 }, { 32, 16 }, { 64, 64 },
        { 3, 4 }, { 6, 12 }, { 24, 48 }, { 48, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_MatchesNaiveDft(int rows, int columns)
    {
        var (re, im) = NaiveDft.RandomSignal(rows * columns, seed: rows * 31 + columns);
        var (expectedRe, expectedIm) = NaiveDft.Transform2D(re, im, rows, columns, inverse: false);

        ComplexFft2D.Forward(re, im, rows, columns);

        Assert.True(NaiveDft.RelativeError(re, im, expectedRe, expectedIm) < Tolerance);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Inverse_MatchesNaiveInverseDft(int rows, int columns)
    {
        var (re, im) = NaiveDft.RandomSignal(rows * columns, seed: rows * 17 + columns);
        var (expectedRe, expectedIm) = NaiveDft.Transform2D(re, im, rows, columns, inverse: true);

        ComplexFft2D.Inverse(re, im, rows, columns);

        Assert.True(NaiveDft.RelativeError(re, im, expectedRe, expectedIm) < Tolerance);
    }

    [Fact]
    public void WrongBufferSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => ComplexFft2D.Forward(new float[32], new float[32], 4, 4));
    }
}
