using Orleans.Embeddings.Tsne.Fourier;

namespace Orleans.Embeddings.Tsne.Tests.Fourier;

/// <summary>The unordered, lane-batched kernels the convolutions use, including the pruned first and last stages.</summary>
public unsafe class LaneFftTests
{
    private const int Lanes = LaneFft.Lanes;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(96)]
    [InlineData(384)]
    public void Forward_GivesTheDftOfEveryLaneInScrambledOrder(int n)
    {
        var plan = FftPlan.ForLength(n);
        var (re, im) = NaiveDft.RandomSignal(n * Lanes, seed: n);
        var (laneRe, laneIm) = ((float[])re.Clone(), (float[])im.Clone());

        fixed (float* r = laneRe, i = laneIm) LaneFft.Forward(plan, r, i, upperHalfZero: false);

        for (var lane = 0; lane < Lanes; lane++)
        {
            var (expectedRe, expectedIm) = NaiveDft.Transform(Lane(re, n, lane), Lane(im, n, lane), inverse: false);
            var actualRe = new float[n];
            var actualIm = new float[n];
            for (var s = 0; s < n; s++)
            {
                actualRe[plan.ScrambledToNatural[s]] = laneRe[s * Lanes + lane];
                actualIm[plan.ScrambledToNatural[s]] = laneIm[s * Lanes + lane];
            }
            Assert.True(NaiveDft.RelativeError(actualRe, actualIm, expectedRe, expectedIm) < 1e-5);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(3)]
    [InlineData(24)]
    [InlineData(1536)]
    public void ScrambledOrder_IsAPermutation(int n)
    {
        var order = FftPlan.ForLength(n).ScrambledToNatural;
        Assert.Equal(Enumerable.Range(0, n), order.Order());
    }

    [Fact]
    public void SmallestAtLeast_PicksTheNextSupportedMultiple()
    {
        Assert.Equal(1024, FftPlan.SmallestAtLeast(1020, 32));
        Assert.Equal(1536, FftPlan.SmallestAtLeast(1030, 32));
        Assert.Equal(96, FftPlan.SmallestAtLeast(65, 32));
        Assert.Equal(32, FftPlan.SmallestAtLeast(1, 32));
        Assert.Equal(12, FftPlan.SmallestAtLeast(9, 4));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(96)]
    [InlineData(768)]
    public void PrunedForward_IgnoresTheUpperHalfAndMatchesTheFullTransform(int n)
    {
        var plan = FftPlan.ForLength(n);
        var (re, im) = NaiveDft.RandomSignal(n * Lanes, seed: 3 * n);
        Array.Clear(re, n * Lanes / 2, n * Lanes / 2);
        Array.Clear(im, n * Lanes / 2, n * Lanes / 2);
        var (fullRe, fullIm) = ((float[])re.Clone(), (float[])im.Clone());
        // Garbage in the upper half must not be read.
        for (var k = n * Lanes / 2; k < n * Lanes; k++) re[k] = im[k] = float.NaN;

        fixed (float* r = re, i = im) LaneFft.Forward(plan, r, i, upperHalfZero: true);
        fixed (float* r = fullRe, i = fullIm) LaneFft.Forward(plan, r, i, upperHalfZero: false);

        for (var k = 0; k < n * Lanes; k++)
        {
            Assert.Equal(fullRe[k], re[k], 1e-5f);
            Assert.Equal(fullIm[k], im[k], 1e-5f);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(32)]
    [InlineData(256)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(48)]
    [InlineData(768)]
    public void InverseOfForward_ScalesByTheLength_AndThePrunedInverseGivesTheLowerHalf(int n)
    {
        var plan = FftPlan.ForLength(n);
        var (re, im) = NaiveDft.RandomSignal(n * Lanes, seed: 5 * n);
        var (fullRe, fullIm) = ((float[])re.Clone(), (float[])im.Clone());

        fixed (float* r = fullRe, i = fullIm)
        {
            LaneFft.Forward(plan, r, i, upperHalfZero: false);
            var (halfRe, halfIm) = ((float[])fullRe.Clone(), (float[])fullIm.Clone());
            LaneFft.Inverse(plan, r, i, lowerHalfOnly: false);
            fixed (float* hr = halfRe, hi = halfIm) LaneFft.Inverse(plan, hr, hi, lowerHalfOnly: true);

            for (var k = 0; k < n * Lanes; k++)
            {
                Assert.Equal(re[k] * n, fullRe[k], 1e-4f * n);
                Assert.Equal(im[k] * n, fullIm[k], 1e-4f * n);
                if (k < n * Lanes / 2)
                {
                    Assert.Equal(fullRe[k], halfRe[k], 1e-5f * n);
                    Assert.Equal(fullIm[k], halfIm[k], 1e-5f * n);
                }
            }
        }
    }

    private static float[] Lane(float[] data, int n, int lane)
    {
        var result = new float[n];
        for (var s = 0; s < n; s++) result[s] = data[s * Lanes + lane];
        return result;
    }
}
