using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Tests.Repulsion;

public class BarnesHutRepulsionFieldTests
{
    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.0)]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.5)]
    [InlineData(1, 2.0)]
    [InlineData(2, 2.0)]
    [InlineData(3, 2.0)]
    public void Theta_half_agrees_with_the_exact_field_within_one_percent(int dimensions, double degreesOfFreedom)
    {
        var map = Blobs(2000, dimensions, seed: 17 + dimensions);
        var kernel = new StudentKernel(degreesOfFreedom);

        var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, kernel), map.Length / dimensions);
        var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, kernel, theta: 0.5), map.Length / dimensions);

        var forceError = RelativeError(forces, exactForces);
        var zError = Math.Abs(z.Sum() - exactZ.Sum()) / exactZ.Sum();
        Assert.True(forceError < 0.01, $"relative force error {forceError}");
        Assert.True(zError < 0.01, $"relative Z error {zError}");
        // The approximation must actually approximate, or the test says nothing about the criterion.
        Assert.True(forceError > 0, "theta = 0.5 gave the exact forces; no cell was summarised");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Second_order_terms_keep_theta_half_well_inside_the_budget(int dimensions)
    {
        // The monopole alone errs by about 1.5% (1-D) and 0.6% (2-D, 3-D) on these maps; the quadrupole terms bring
        // that to about 0.1%. The bound leaves room for rounding, not for losing the second-order terms.
        var map = Blobs(2000, dimensions, seed: 17 + dimensions);
        var kernel = StudentKernel.Cauchy;

        var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, kernel), map.Length / dimensions);
        var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, kernel, theta: 0.5), map.Length / dimensions);

        Assert.True(RelativeError(forces, exactForces) < 0.003, $"relative force error {RelativeError(forces, exactForces)}");
        Assert.True(Math.Abs(z.Sum() - exactZ.Sum()) < 5e-4 * exactZ.Sum(), $"Z {z.Sum()} vs exact {exactZ.Sum()}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_large_theta_still_excludes_the_row_itself(int dimensions)
    {
        // Two tight clusters far apart; theta = 10 summarises every cell that does not hold the row. Counting the
        // row itself would add 1 to a z of about 49, a 2% error.
        var random = new Random(3);
        var n = 100;
        var map = new float[n * dimensions];
        for (var i = 0; i < n; i++)
            for (var d = 0; d < dimensions; d++)
                map[i * dimensions + d] = (i < n / 2 ? 0f : 100f) + (float)(0.01 * Gaussian(random));

        var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, StudentKernel.Cauchy), n);
        var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, StudentKernel.Cauchy, theta: 10), n);

        Assert.All(forces, f => Assert.True(float.IsFinite(f)));
        for (var i = 0; i < n; i++)
            Assert.True(Math.Abs(z[i] - exactZ[i]) < 1e-3 * exactZ[i], $"row {i}: z {z[i]} vs exact {exactZ[i]}");
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 2.0)]
    public void Theta_zero_reproduces_the_exact_field(int dimensions, double degreesOfFreedom)
    {
        var map = Blobs(1000, dimensions, seed: 5 + dimensions);
        var kernel = new StudentKernel(degreesOfFreedom);

        var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, kernel), map.Length / dimensions);
        var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, kernel, theta: 0), map.Length / dimensions);

        Assert.True(RelativeError(forces, exactForces) < 1e-5, $"relative force error {RelativeError(forces, exactForces)}");
        for (var i = 0; i < z.Length; i++)
            Assert.True(Math.Abs(z[i] - exactZ[i]) <= 1e-9 * exactZ[i], $"row {i}: z {z[i]} vs exact {exactZ[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Results_do_not_depend_on_how_rows_are_chunked_or_threaded(int dimensions)
    {
        var map = Blobs(3000, dimensions, seed: 99);
        var n = map.Length / dimensions;
        var field = new BarnesHutRepulsionField(map, dimensions, StudentKernel.Cauchy);
        var (forces, z) = EvaluateAll(field, n);

        foreach (var chunk in new[] { 1, 7, 333, 1024 })
        {
            var chunkForces = new float[n * dimensions];
            var chunkZ = new double[n];
            var starts = Enumerable.Range(0, (n + chunk - 1) / chunk).Select(c => c * chunk).ToArray();
            Parallel.ForEach(starts, new ParallelOptions { MaxDegreeOfParallelism = 4 }, s =>
            {
                var rows = Math.Min(chunk, n - s);
                field.Evaluate(s, chunkForces.AsSpan(s * dimensions, rows * dimensions), chunkZ.AsSpan(s, rows));
            });
            Assert.Equal(forces, chunkForces);
            Assert.Equal(z, chunkZ);
        }

        // A second build from the same map must lay the tree out identically.
        var (rebuiltForces, rebuiltZ) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, StudentKernel.Cauchy), n);
        Assert.Equal(forces, rebuiltForces);
        Assert.Equal(z, rebuiltZ);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 2.0)]
    public void All_points_identical_gives_unit_weights_and_no_force(int dimensions, double degreesOfFreedom)
    {
        const int n = 500;
        var map = new float[n * dimensions];
        for (var i = 0; i < map.Length; i++) map[i] = 3.25f * (i % dimensions + 1);

        var field = new BarnesHutRepulsionField(map, dimensions, new StudentKernel(degreesOfFreedom));
        var (forces, z) = EvaluateAll(field, n);

        // Identical points cannot be told apart, so they must stay in one leaf rather than split without end.
        Assert.Equal(1, field.NodeCount);
        Assert.All(forces, f => Assert.Equal(0f, f));
        Assert.All(z, zi => Assert.Equal(n - 1, zi));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Two_points_match_the_exact_field(int dimensions)
    {
        var map = new float[2 * dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            map[d] = -1.5f + d;
            map[dimensions + d] = 2f - 0.5f * d;
        }

        foreach (var theta in new[] { 0.0, 0.5, 2.0 })
        {
            var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, StudentKernel.Cauchy), 2);
            var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, StudentKernel.Cauchy, theta), 2);
            Assert.True(RelativeError(forces, exactForces) < 1e-6);
            Assert.Equal(exactZ[0], z[0], 12);
            Assert.Equal(exactZ[1], z[1], 12);
        }
    }

    [Fact]
    public void A_single_point_feels_nothing()
    {
        var (forces, z) = EvaluateAll(new BarnesHutRepulsionField([4f, -2f], 2, StudentKernel.Cauchy), 1);
        Assert.Equal([0f, 0f], forces);
        Assert.Equal(0, z[0]);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 2.0)]
    public void Duplicates_mixed_with_distinct_points_match_the_exact_field(int dimensions, double degreesOfFreedom)
    {
        // 600 copies of one point, 300 of another (a hair away from it), and 300 scattered points, shuffled.
        var random = new Random(7);
        var rows = new List<float[]>();
        var a = Enumerable.Range(0, dimensions).Select(d => 1.5f * d).ToArray();
        var b = a.Select(x => MathF.BitIncrement(x)).ToArray();
        for (var i = 0; i < 600; i++) rows.Add(a);
        for (var i = 0; i < 300; i++) rows.Add(b);
        for (var i = 0; i < 300; i++) rows.Add(Enumerable.Range(0, dimensions).Select(_ => (float)(20 * Gaussian(random))).ToArray());
        var map = rows.OrderBy(_ => random.Next()).SelectMany(r => r).ToArray();
        var n = rows.Count;
        var kernel = new StudentKernel(degreesOfFreedom);

        var (exactForces, exactZ) = EvaluateAll(new ExactRepulsionField(map, dimensions, kernel), n);
        foreach (var (theta, tolerance) in new[] { (0.0, 1e-5), (0.5, 1e-2) })
        {
            var (forces, z) = EvaluateAll(new BarnesHutRepulsionField(map, dimensions, kernel, theta), n);
            Assert.All(forces, f => Assert.True(float.IsFinite(f)));
            Assert.All(z, zi => Assert.True(double.IsFinite(zi)));
            Assert.True(RelativeError(forces, exactForces) < tolerance, $"theta {theta}: relative force error {RelativeError(forces, exactForces)}");
            Assert.True(Math.Abs(z.Sum() - exactZ.Sum()) < tolerance * exactZ.Sum(), $"theta {theta}: Z {z.Sum()} vs exact {exactZ.Sum()}");
        }
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BarnesHutRepulsionField(new float[8], 4, StudentKernel.Cauchy));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BarnesHutRepulsionField(new float[8], 0, StudentKernel.Cauchy));
        Assert.Throws<ArgumentException>(() => new BarnesHutRepulsionField(new float[7], 2, StudentKernel.Cauchy));
        Assert.Throws<ArgumentException>(() => new BarnesHutRepulsionField([0f, float.NaN], 2, StudentKernel.Cauchy));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BarnesHutRepulsionField(new float[8], 2, StudentKernel.Cauchy, theta: -1));

        var field = new BarnesHutRepulsionField(new float[8], 2, StudentKernel.Cauchy);
        Assert.Throws<ArgumentOutOfRangeException>(() => field.Evaluate(3, new float[4], new double[2]));
        Assert.Throws<ArgumentException>(() => field.Evaluate(0, new float[3], new double[2]));
    }

    private static (float[] Forces, double[] Z) EvaluateAll(IRepulsionField field, int n)
    {
        var forces = new float[n * field.Dimensions];
        var z = new double[n];
        field.Evaluate(0, forces, z);
        return (forces, z);
    }

    private static double RelativeError(float[] actual, float[] expected)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += ((double)actual[i] - expected[i]) * ((double)actual[i] - expected[i]);
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }

    /// <summary>Gaussian blobs with spreads from 1 to 30 map units, like a t-SNE map from early to late.</summary>
    private static float[] Blobs(int n, int dimensions, int seed)
    {
        var random = new Random(seed);
        double[] spreads = [1, 3, 8, 15, 30];
        var centres = spreads.Select(_ => Enumerable.Range(0, dimensions).Select(_ => 60 * (random.NextDouble() - 0.5)).ToArray()).ToArray();
        var map = new float[n * dimensions];
        for (var i = 0; i < n; i++)
        {
            var blob = i % spreads.Length;
            for (var d = 0; d < dimensions; d++)
                map[i * dimensions + d] = (float)(centres[blob][d] + spreads[blob] * Gaussian(random));
        }
        return map;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
