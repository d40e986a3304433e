using Orleans.Embeddings.Tsne.Gradient;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Tests.Optimization;

public sealed class GradientTests
{
    /// <summary>A small problem's shard, with P assembled, and its P as a dense matrix.</summary>
    private static (TsneShard Shard, double[,] P) Problem(int count, TsneOptions options)
    {
        const int dimensions = 5;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 2);
        var shard = new TsneShard(0, data, dimensions, count, options);
        shard.BeginNeighborSearch(options.NeighborCount(count));
        shard.OfferCandidates(shard.SearchRows, 0);
        shard.EndNeighborSearch();
        var affinities = shard.AcceptAffinities(shard.CalibrateAffinities(ShardLayout.Split(count, 1)));
        var p = new double[count, count];
        for (var i = 0; i < count; i++)
            for (var at = affinities.RowStarts[i]; at < affinities.RowStarts[i + 1]; at++)
                p[i, affinities.Columns[at]] = affinities.Values[at];
        return (shard, p);
    }

    private static double KlDivergence(double[,] p, double[] map, int dims, StudentKernel kernel)
    {
        var n = p.GetLength(0);
        double z = 0, kl = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                if (i != j) z += kernel.Weight(SquaredDistance(map, dims, i, j));
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                if (p[i, j] > 0) kl += p[i, j] * Math.Log(p[i, j] / (kernel.Weight(SquaredDistance(map, dims, i, j)) / z));
        return kl;
    }

    private static double SquaredDistance(double[] map, int dims, int i, int j)
    {
        double sum = 0;
        for (var d = 0; d < dims; d++) sum += (map[i * dims + d] - map[j * dims + d]) * (map[i * dims + d] - map[j * dims + d]);
        return sum;
    }

    [Fact]
    public void The_KL_sum_of_log_weights_of_a_2D_Cauchy_map_equals_the_direct_sum()
    {
        const int count = 300;
        var options = new TsneOptions { Perplexity = 10 };
        var (shard, _) = Problem(count, options);
        var p = shard.Affinities;
        var map = TestData.Uniform(count * 2, 5, seed: 3);
        var kernel = new StudentKernel(1);

        double direct = 0;
        for (var i = 0; i < count; i++)
            for (var at = p.RowStarts[i]; at < p.RowStarts[i + 1]; at++)
            {
                var j = p.Columns[at];
                double dx = (double)map[2 * i] - map[2 * j], dy = (double)map[2 * i + 1] - map[2 * j + 1];
                direct += p.Values[at] * Math.Log(kernel.Weight(dx * dx + dy * dy));
            }

        var sum = AttractiveForces.LogWeightSum(p, map, 2, kernel, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(direct, sum, Math.Abs(direct) * 1e-12);
    }

    [Theory]
    [InlineData(2, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 2.0)]
    [InlineData(1, 1.0)]
    public void Analytic_gradient_matches_finite_differences_of_the_KL_divergence(int dims, double degreesOfFreedom)
    {
        const int count = 40;
        var options = new TsneOptions { Perplexity = 4, OutputDimensions = dims, DegreesOfFreedom = degreesOfFreedom };
        var (shard, p) = Problem(count, options);
        var kernel = new StudentKernel(degreesOfFreedom);
        var map = TestData.Uniform(count * dims, 3, seed: 7);

        var attraction = shard.ComputeAttraction(map, withKlTerm: true);
        var repulsion = new RepulsiveForces(count, dims);
        repulsion.Evaluate(new ExactRepulsionField(map, dims, kernel), 0, new ParallelOptions());
        var gradient = new float[map.Length];
        GradientAssembly.Assemble(attraction.Forces, repulsion.Forces, repulsion.Z(), 1, gradient);
        var kl = GradientAssembly.KlDivergence(shard.Affinities.EntropyTerm, attraction.LogWeightSum!.Value, repulsion.Z());

        var exactMap = map.Select(v => (double)v).ToArray();
        Assert.Equal(KlDivergence(p, exactMap, dims, kernel), kl, 1e-4);
        const double h = 1e-4;
        for (var at = 0; at < map.Length; at++)
        {
            var saved = exactMap[at];
            exactMap[at] = saved + h;
            var up = KlDivergence(p, exactMap, dims, kernel);
            exactMap[at] = saved - h;
            var down = KlDivergence(p, exactMap, dims, kernel);
            exactMap[at] = saved;
            var numeric = (up - down) / (2 * h);
            // The engine steps along the gradient divided by 4.
            Assert.Equal(numeric, 4 * gradient[at], 2e-4 + 1e-3 * Math.Abs(numeric));
        }
    }
}
