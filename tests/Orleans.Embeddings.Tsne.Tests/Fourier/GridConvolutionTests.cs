using Orleans.Embeddings.Tsne.Fourier;

namespace Orleans.Embeddings.Tsne.Tests.Fourier;

/// <summary>The FFT convolutions against the direct double sums they replace.</summary>
public class GridConvolutionTests
{
    [Theory]
    [InlineData(1, 32)]
    [InlineData(7, 32)]
    [InlineData(16, 32)]
    [InlineData(21, 64)]
    [InlineData(45, 128)]
    [InlineData(48, 96)]
    [InlineData(37, 96)]
    public void Convolution2D_MatchesTheDirectSum(int nodes, int length)
    {
        var convolution = new GridConvolution2D(nodes, length);
        var random = new Random(nodes);
        var charges = convolution.Charges;
        for (var k = 0; k < charges.Length; k++) charges[k] = (float)(random.NextDouble() * 2 - 1);
        var stride = convolution.KernelTableStride;
        for (var l0 = 0; l0 < nodes; l0++)
            for (var l1 = 0; l1 < nodes; l1++)
                convolution.KernelTable[l0 * stride + l1] = Kernel(l0 * l0 + l1 * l1);
        var input = charges.ToArray();
        var potentials = new float[nodes * nodes * 4];

        convolution.Convolve(potentials, new ParallelOptions());

        for (var charge = 0; charge < 4; charge++)
        {
            double error = 0, norm = 0;
            for (var g0 = 0; g0 < nodes; g0++)
            for (var g1 = 0; g1 < nodes; g1++)
            {
                double expected = 0;
                for (var h0 = 0; h0 < nodes; h0++)
                    for (var h1 = 0; h1 < nodes; h1++)
                        expected += Kernel((g0 - h0) * (g0 - h0) + (g1 - h1) * (g1 - h1))
                            * input[(h0 * nodes + h1) * 4 + charge];
                var actual = potentials[(g0 * nodes + g1) * 4 + charge];
                error += (actual - expected) * (actual - expected);
                norm += expected * expected;
            }
            Assert.True(Math.Sqrt(error / norm) < 1e-5, $"charge {charge}: {Math.Sqrt(error / norm)}");
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(5, 16)]
    [InlineData(150, 512)]
    [InlineData(6, 12)]
    [InlineData(190, 384)]
    public void Convolution1D_MatchesTheDirectSum(int nodes, int length)
    {
        var convolution = new GridConvolution1D(nodes, length);
        var random = new Random(nodes);
        var charges = convolution.Charges;
        for (var k = 0; k < charges.Length; k++) charges[k] = (float)(random.NextDouble() * 2 - 1);
        for (var l = 0; l < nodes; l++) convolution.KernelTable[l] = Kernel(l * l);
        var input = charges.ToArray();
        var potentials = new float[nodes * 3];

        convolution.Convolve(potentials);

        for (var charge = 0; charge < 3; charge++)
        {
            double error = 0, norm = 0;
            for (var g = 0; g < nodes; g++)
            {
                double expected = 0;
                for (var h = 0; h < nodes; h++) expected += Kernel((g - h) * (g - h)) * input[h * 3 + charge];
                error += (potentials[g * 3 + charge] - expected) * (potentials[g * 3 + charge] - expected);
                norm += expected * expected;
            }
            Assert.True(Math.Sqrt(error / norm) < 1e-5, $"charge {charge}: {Math.Sqrt(error / norm)}");
        }
    }

    [Fact]
    public void TooShortCirculant_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GridConvolution2D(17, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GridConvolution2D(8, 48));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GridConvolution1D(9, 16));
    }

    // A heavy-tailed kernel like the one t-SNE uses, on squared lags in node units.
    private static float Kernel(int squaredLag)
    {
        var w = 1.0 / (1 + 0.09 * squaredLag);
        return (float)(w * w);
    }
}
