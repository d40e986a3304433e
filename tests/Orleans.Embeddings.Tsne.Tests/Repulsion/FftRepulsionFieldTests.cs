using Orleans.Embeddings.Tsne.Fourier;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Tests.Repulsion;

public class FftRepulsionFieldTests
{
    public static TheoryData<int, double> DimensionsAndDegreesOfFreedom => new()
    {
        { 2, 1 }, { 2, 0.5 }, { 2, 2 }, { 1, 1 }, { 1, 0.5 }, { 1, 2 },
    };

    [Theory]
    [MemberData(nameof(DimensionsAndDegreesOfFreedom))]
    public void ForcesAndNormaliser_MatchTheExactField(int dimensions, double degreesOfFreedom)
    {
        var map = Blobs(2_000, dimensions, seed: 11);
        var kernel = new StudentKernel(degreesOfFreedom);

        var (forceError, zError) = CompareWithExact(map, dimensions, kernel, options: null);

        Assert.True(forceError < 0.01, $"relative force error {forceError}");
        Assert.True(zError < 0.01, $"relative Z error {zError}");
    }

    [Theory]
    [InlineData(2, 4)]
    [InlineData(1, 5)]
    public void OtherInterpolationOrders_AreAccurateToo(int dimensions, int pointsPerBox)
    {
        var map = Blobs(1_000, dimensions, seed: 5);
        var options = new FftInterpolationOptions { InterpolationPointsPerBox = pointsPerBox };

        var (forceError, zError) = CompareWithExact(map, dimensions, StudentKernel.Cauchy, options);

        Assert.True(forceError < 0.01, $"relative force error {forceError}");
        Assert.True(zError < 0.01, $"relative Z error {zError}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Evaluate_GivesIdenticalResultsWhateverTheChunking(int dimensions)
    {
        var map = Blobs(3_001, dimensions, seed: 3);
        var n = map.Length / dimensions;
        var field = FftRepulsionField.Build(map, dimensions, StudentKernel.Cauchy);
        var forces = new float[n * dimensions];
        var z = new double[n];
        field.Evaluate(0, forces, z);

        foreach (var chunk in new[] { 1, 7, 333, 1_000 })
        {
            var chunkForces = new float[n * dimensions];
            var chunkZ = new double[n];
            Parallel.For(0, (n + chunk - 1) / chunk, c =>
            {
                var start = c * chunk;
                var count = Math.Min(chunk, n - start);
                field.Evaluate(start, chunkForces.AsSpan(start * dimensions, count * dimensions), chunkZ.AsSpan(start, count));
            });
            Assert.Equal(forces, chunkForces);
            Assert.Equal(z, chunkZ);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Build_IsBitwiseIdenticalOnOneThreadAndOnMany(int dimensions)
    {
        var map = Blobs(20_000, dimensions, seed: 8);
        var parallel = FftRepulsionField.BuildGrid(map, dimensions, StudentKernel.Cauchy);

        var serial = FftRepulsionField.BuildGrid(map, dimensions, StudentKernel.Cauchy, parallel: new ParallelOptions { MaxDegreeOfParallelism = 1 });
        var again = FftRepulsionField.BuildGrid(map, dimensions, StudentKernel.Cauchy);

        Assert.Equal(parallel.Potentials, serial.Potentials);
        Assert.Equal(parallel.Potentials, again.Potentials);
    }

    [Fact]
    public void AFieldAroundAGridBuiltOnItsOwn_EvaluatesAsBuildDoes()
    {
        // How a map replica builds its field: the grid first, then the field that interpolates from it.
        var map = Blobs(2_000, 2, seed: 21);
        var field = FftRepulsionField.Build(map, 2, new StudentKernel(0.7));
        var grid = FftRepulsionField.BuildGrid(map, 2, new StudentKernel(0.7));
        var wrapped = new FftRepulsionField(grid, (float[])map.Clone(), 2);

        var (f1, z1) = (new float[200], new double[100]);
        var (f2, z2) = (new float[200], new double[100]);
        field.Evaluate(500, f1, z1);
        wrapped.Evaluate(500, f2, z2);

        Assert.Equal(f1, f2);
        Assert.Equal(z1, z2);
    }

    [Fact]
    public void RecyclingAnEarlierGrid_ReusesItsBufferAndGivesTheSameResult()
    {
        var map = Blobs(2_000, 2, seed: 12);
        var fresh = FftRepulsionField.BuildGrid(map, 2, StudentKernel.Cauchy);
        // The same map shifted: same extent, so the same grid size, but different potentials.
        var earlier = FftRepulsionField.BuildGrid(Array.ConvertAll(map, y => y + 0.5f), 2, StudentKernel.Cauchy);
        var buffer = earlier.Potentials;

        var recycled = FftRepulsionField.BuildGrid(map, 2, StudentKernel.Cauchy, recycle: earlier);

        Assert.Same(buffer, recycled.Potentials);
        Assert.Equal(fresh.Potentials, recycled.Potentials);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void IdenticalPoints_GiveNoForceAndZOfNMinusOne(int dimensions)
    {
        const int n = 50;
        var map = new float[n * dimensions];
        for (var i = 0; i < n; i++)
        {
            map[i * dimensions] = 3.5f;
            if (dimensions == 2) map[i * dimensions + 1] = -2f;
        }
        var field = FftRepulsionField.Build(map, dimensions, StudentKernel.Cauchy);
        var forces = new float[n * dimensions];
        var z = new double[n];

        field.Evaluate(0, forces, z);

        Assert.All(forces, f => Assert.True(float.IsFinite(f) && Math.Abs(f) < 1e-3, $"force {f}"));
        Assert.All(z, zi => Assert.True(double.IsFinite(zi) && Math.Abs(zi - (n - 1)) < 1e-3 * n, $"z {zi}"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void TwoPoints_MatchTheExactField(int dimensions)
    {
        float[] map = dimensions == 2 ? [1f, 2f, 3f, -0.5f] : [1f, 4f];

        var (forceError, zError) = CompareWithExact(map, dimensions, StudentKernel.Cauchy, options: null);

        Assert.True(forceError < 0.01, $"relative force error {forceError}");
        Assert.True(zError < 0.01, $"relative Z error {zError}");
    }

    [Fact]
    public void PointsOnALineIn2D_MatchTheExactField()
    {
        // Zero extent in the second dimension: clusters along the line y = 7.
        var line = Blobs(1_000, 1, seed: 4);
        var map = new float[2 * line.Length];
        for (var i = 0; i < line.Length; i++)
        {
            map[2 * i] = line[i];
            map[2 * i + 1] = 7f;
        }

        var (forceError, zError) = CompareWithExact(map, 2, StudentKernel.Cauchy, options: null);

        Assert.True(forceError < 0.01, $"relative force error {forceError}");
        Assert.True(zError < 0.01, $"relative Z error {zError}");
        var forces = new float[map.Length];
        FftRepulsionField.Build(map, 2, StudentKernel.Cauchy).Evaluate(0, forces, new double[line.Length]);
        var largest = forces.Max(Math.Abs);
        for (var i = 0; i < line.Length; i++) Assert.True(Math.Abs(forces[2 * i + 1]) <= 1e-4 * largest, $"F_y {forces[2 * i + 1]}");
    }

    [Fact]
    public void GridFollowsTheOptions()
    {
        var map = new float[] { 0, 0, 100, 40 };
        var options = new FftInterpolationOptions { MinBoxesPerDimension = 20, BoxesPerUnitLength = 1.5 };

        var grid = FftRepulsionField.BuildGrid(map, 2, StudentKernel.Cauchy, options);

        Assert.True(grid.BoxesPerDimension >= 150);
        Assert.Equal(3, grid.PointsPerBox);
        Assert.Equal(4, grid.ChargeCount);
        Assert.True(grid.BoxesPerDimension * grid.BoxWidth >= 100 - 1e-9);
        Assert.Equal(grid.NodesPerDimension * grid.NodesPerDimension * 4, grid.Potentials.Length);
    }

    [Fact]
    public void AVerySpreadOutMap_IsCappedAtMaxBoxes()
    {
        var map = new float[] { 0, 0, 5_000, 10, 2_500, 2_500 };
        var options = new FftInterpolationOptions { MaxBoxesPerDimension = 100 };

        var grid = FftRepulsionField.BuildGrid(map, 2, StudentKernel.Cauchy, options);

        // 100 boxes of three nodes need a circulant of 600, rounded up to 768: 128 boxes.
        Assert.Equal(128, grid.BoxesPerDimension);
        Assert.True(grid.BoxesPerDimension * grid.BoxWidth >= 5_000);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void AnEmptyMap_BuildsAndEvaluatesNothing(int dimensions)
    {
        var field = FftRepulsionField.Build([], dimensions, StudentKernel.Cauchy);

        field.Evaluate(0, Span<float>.Empty, Span<double>.Empty);

        Assert.Equal(dimensions, field.Dimensions);
    }

    [Fact]
    public void ThreeDimensions_AreRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => FftRepulsionField.Build(new float[9], 3, StudentKernel.Cauchy));
        Assert.Equal("dimensions", error.ParamName);
    }

    [Fact]
    public void RowsOutsideTheMap_AreRejected()
    {
        var field = FftRepulsionField.Build(new float[] { 0, 0, 1, 1 }, 2, StudentKernel.Cauchy);
        Assert.Throws<ArgumentOutOfRangeException>(() => field.Evaluate(1, new float[4], new double[2]));
        Assert.Throws<ArgumentException>(() => field.Evaluate(0, new float[3], new double[2]));
    }

    [Fact]
    public void NonFiniteCoordinates_AreRejected()
    {
        Assert.Throws<ArgumentException>(
            () => FftRepulsionField.Build(new float[] { 0, float.NaN, 1, 1 }, 2, StudentKernel.Cauchy));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void AGridPlannedFromTheShardsBounds_IsTheMapsOwnGrid(int dimensions)
    {
        var map = Blobs(4_000, dimensions, seed: 29);
        int[] cuts = [0, 1_300, 2_900, 4_000];
        var shards = cuts.Zip(cuts.Skip(1), (first, end) => MapBounds.Of(map.AsSpan((first * dimensions)..(end * dimensions)), dimensions)).ToArray();

        var planned = FftRepulsionField.BuildGrid(map, FftRepulsionField.PlanGrid(MapBounds.Union(shards)), StudentKernel.Cauchy);
        var own = FftRepulsionField.BuildGrid(map, dimensions, StudentKernel.Cauchy);

        Assert.Equal(own.BoxesPerDimension, planned.BoxesPerDimension);
        Assert.Equal(own.Origin, planned.Origin);
        Assert.Equal(own.Potentials, planned.Potentials);
    }

    private static (double ForceError, double ZError) CompareWithExact(
        float[] map, int dimensions, StudentKernel kernel, FftInterpolationOptions? options)
    {
        var n = map.Length / dimensions;
        var exactForces = new float[n * dimensions];
        var exactZ = new double[n];
        new ExactRepulsionField(map, dimensions, kernel).Evaluate(0, exactForces, exactZ);

        var forces = new float[n * dimensions];
        var z = new double[n];
        FftRepulsionField.Build(map, dimensions, kernel, options).Evaluate(0, forces, z);

        double error = 0, norm = 0;
        for (var k = 0; k < forces.Length; k++)
        {
            error += Math.Pow(forces[k] - (double)exactForces[k], 2);
            norm += Math.Pow(exactForces[k], 2);
        }
        var exactTotal = exactZ.Sum();
        return (Math.Sqrt(error / norm), Math.Abs(z.Sum() - exactTotal) / exactTotal);
    }

    // A few Gaussian blobs with spreads from 1 to 30 map units, like a t-SNE map mid-optimisation.
    private static float[] Blobs(int n, int dimensions, int seed)
    {
        var random = new Random(seed);
        double[] spreads = [1, 2, 4, 8, 15, 30];
        var centers = new double[spreads.Length * dimensions];
        for (var k = 0; k < centers.Length; k++) centers[k] = random.NextDouble() * 100 - 50;
        var map = new float[n * dimensions];
        for (var i = 0; i < n; i++)
        {
            var blob = i % spreads.Length;
            for (var d = 0; d < dimensions; d++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                map[i * dimensions + d] = (float)(centers[blob * dimensions + d] + spreads[blob] * gaussian);
            }
        }
        return map;
    }
}
