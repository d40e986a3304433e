using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Tsne.Tests.Neighbors;

public sealed class ExactNeighborSearchTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    [Theory]
    [InlineData(300, 7, 5)]
    [InlineData(301, 33, 12)]
    [InlineData(40, 2, 39)]
    public void Finds_the_same_neighbours_as_brute_force(int count, int dimensions, int k)
    {
        var (data, _) = TestData.Blobs(count, dimensions, 4, 3);
        var top = new TopKAccumulator(0, count, k);
        ExactNeighborSearch.Offer(top, data, data, 0, dimensions, Parallel);
        var graph = top.ToGraph();

        for (var i = 0; i < count; i++)
        {
            var expected = Enumerable.Range(0, count).Where(j => j != i)
                .OrderBy(j => TestData.SquaredDistance(data, dimensions, i, j)).ThenBy(j => j).Take(k).ToArray();
            var found = graph.IndicesOf(i).ToArray();
            // Float round-off may swap near-ties, so compare the distances rather than the order.
            var expectedDistances = expected.Select(j => TestData.SquaredDistance(data, dimensions, i, j)).ToArray();
            var foundDistances = found.Select(j => TestData.SquaredDistance(data, dimensions, i, j)).ToArray();
            Assert.DoesNotContain(i, found);
            Assert.Equal(k, found.Distinct().Count());
            for (var n = 0; n < k; n++)
            {
                Assert.Equal(expectedDistances[n], foundDistances[n], 1e-3 * (1 + expectedDistances[n]));
                Assert.Equal(foundDistances[n], graph.DistancesOf(i)[n], 1e-3 * (1 + foundDistances[n]));
            }
        }
    }

    [Fact]
    public void Blocks_in_any_order_give_the_same_graph()
    {
        const int count = 500, dimensions = 9, k = 15;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 2);
        var whole = new TopKAccumulator(0, count, k);
        ExactNeighborSearch.Offer(whole, data, data, 0, dimensions, Parallel);

        var pieces = new TopKAccumulator(0, count, k);
        foreach (var (start, length) in new[] { (320, 180), (0, 128), (128, 192) })
            ExactNeighborSearch.Offer(pieces, data, data.AsMemory(start * dimensions, length * dimensions), start, dimensions, Parallel);

        var a = whole.ToGraph();
        var b = pieces.ToGraph();
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.SquaredDistances, b.SquaredDistances);
    }

    [Fact]
    public void Duplicates_are_neighbours_at_distance_zero()
    {
        var data = new float[20 * 3];
        for (var i = 10; i < 20; i++) data[i * 3] = i;
        var top = new TopKAccumulator(0, 20, 5);
        ExactNeighborSearch.Offer(top, data, data, 0, 3, Parallel);
        var graph = top.ToGraph();
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, graph.IndicesOf(0).ToArray());
        Assert.All(graph.DistancesOf(0).ToArray(), d => Assert.Equal(0f, d));
    }
}
