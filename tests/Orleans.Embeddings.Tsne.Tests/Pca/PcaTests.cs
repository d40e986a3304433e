using MathNet.Numerics.LinearAlgebra;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne.Tests.Pca;

public sealed class PcaTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    [Fact]
    public void Sums_give_the_sample_covariance()
    {
        const int count = 700, dimensions = 19;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 4);
        var sums = PcaSums.Compute(data, dimensions, PcaSums.MaxAbsoluteOf(data), Parallel);

        var matrix = Matrix<double>.Build.Dense(count, dimensions, (i, d) => data[i * dimensions + d]);
        var mean = matrix.ColumnSums() / count;
        var centred = matrix - Matrix<double>.Build.Dense(count, dimensions, (_, d) => mean[d]);
        var expected = centred.TransposeThisAndMultiply(centred) / (count - 1);

        var covariance = sums.Covariance();
        for (var a = 0; a < dimensions; a++)
        {
            Assert.Equal(mean[a], sums.Mean()[a], 1e-5);
            for (var b = 0; b < dimensions; b++)
                Assert.Equal(expected[a, b], covariance[a * dimensions + b], 1e-4);
        }
    }

    [Fact]
    public void Shard_sums_add_up_to_the_same_bits_in_any_order()
    {
        const int count = 1000, dimensions = 37;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 4);
        var max = PcaSums.MaxAbsoluteOf(data);
        var whole = PcaSums.Compute(data, dimensions, max, Parallel);
        PcaSums Part(int start, int rows) => PcaSums.Compute(data.AsMemory(start * dimensions, rows * dimensions), dimensions, max, Parallel);
        var parts = Part(768, 232).Add(Part(0, 256)).Add(Part(256, 512));

        Assert.Equal(whole.Count, parts.Count);
        Assert.Equal(whole.Sums, parts.Sums);
        Assert.Equal(whole.Scatter, parts.Scatter);
    }

    [Fact]
    public void Axes_follow_the_directions_of_largest_variance()
    {
        // Points stretched along (1, 1, 0) with a smaller spread along (0, 0, 1).
        var random = new Random(3);
        const int count = 2000;
        var data = new float[count * 3];
        for (var i = 0; i < count; i++)
        {
            var major = 10 * TestData.Gaussian(random);
            var minor = 2 * TestData.Gaussian(random);
            data[i * 3] = (float)(major + 5);
            data[i * 3 + 1] = (float)(major - 5);
            data[i * 3 + 2] = (float)minor;
        }
        var model = PcaModel.Fit(PcaSums.Compute(data, 3, PcaSums.MaxAbsoluteOf(data), Parallel), 2);

        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(model.Components[0]), 2);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(model.Components[1]), 2);
        Assert.Equal(1, Math.Abs(model.Components[5]), 2);
        Assert.Equal(200, model.Variances[0], 200 * 0.1);
        Assert.Equal(4, model.Variances[1], 4 * 0.1);

        var projected = model.Project(data, Parallel);
        Assert.Equal(0, Enumerable.Range(0, count).Average(i => projected[i * 2]), 1e-3);
    }
}
