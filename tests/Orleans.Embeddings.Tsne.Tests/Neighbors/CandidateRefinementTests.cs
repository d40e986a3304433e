using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne.Tests.Neighbors;

public sealed class CandidateRefinementTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    [Fact]
    public void Candidates_from_principal_components_reranked_exactly_recover_the_exact_neighbours()
    {
        // Like image embeddings, the data has far fewer intrinsic dimensions (12) than coordinates (120).
        const int count = 1500, dimensions = 120, latent = 12, k = 20;
        var (codes, _) = TestData.Blobs(count, latent, 6, 3);
        var random = new Random(5);
        var mixing = Enumerable.Range(0, latent * dimensions).Select(_ => TestData.Gaussian(random)).ToArray();
        var data = new float[count * dimensions];
        for (var i = 0; i < count; i++)
            for (var d = 0; d < dimensions; d++)
            {
                double value = 0.05 * TestData.Gaussian(random);
                for (var l = 0; l < latent; l++) value += codes[i * latent + l] * mixing[l * dimensions + d];
                data[i * dimensions + d] = (float)value;
            }
        var exact = new TopKAccumulator(0, count, k);
        ExactNeighborSearch.Offer(exact, data, data, 0, dimensions, Parallel);
        var truth = exact.ToGraph();

        var model = PcaModel.Fit(PcaSums.Compute(data, dimensions, PcaSums.MaxAbsoluteOf(data), Parallel), NeighborPlan.CandidateDimensions);
        var projected = model.Project(data, Parallel);
        var candidates = new TopKAccumulator(0, count, NeighborPlan.CandidateFactor * k);
        ExactNeighborSearch.Offer(candidates, projected, projected, 0, model.ComponentCount, Parallel);
        var refinement = new CandidateRefinement(candidates);
        var refined = new TopKAccumulator(0, count, k);
        // Offered in two blocks, as two shards would.
        refinement.Offer(refined, data, data.AsMemory(700 * dimensions), 700, dimensions, Parallel);
        refinement.Offer(refined, data, data.AsMemory(0, 700 * dimensions), 0, dimensions, Parallel);
        var found = refined.ToGraph();

        double hits = 0;
        for (var i = 0; i < count; i++)
            hits += found.IndicesOf(i).ToArray().Intersect(truth.IndicesOf(i).ToArray()).Count();
        Assert.True(hits / (count * k) >= 0.97, $"recall {hits / (count * k):F4}");
        for (var i = 0; i < count; i++)
            for (var n = 0; n < k; n++)
                Assert.Equal(TestData.SquaredDistance(data, dimensions, i, found.IndicesOf(i)[n]), found.DistancesOf(i)[n], 1e-3);
    }

    [Theory]
    [InlineData(20_000, 784, true, 50, true)]
    [InlineData(70_000, 784, true, 50, true)]
    [InlineData(300_000, 784, false, 50, true)]
    [InlineData(5_000, 784, true, 0, false)]
    [InlineData(70_000, 50, true, 0, false)]
    [InlineData(250_000, 50, false, 0, false)]
    [InlineData(1_000_000, 30, false, 0, false)]
    public void The_plan_searches_exactly_while_affordable(int count, int dimensions, bool exact, int searchDimensions, bool refine)
    {
        var plan = NeighborPlan.For(new TsneOptions(), count, dimensions);
        Assert.Equal(exact, plan.Exact);
        Assert.Equal(searchDimensions, plan.SearchDimensions);
        Assert.Equal(refine, plan.Refine);
        Assert.Equal(refine ? 270 : 90, plan.Candidates);
    }
}
