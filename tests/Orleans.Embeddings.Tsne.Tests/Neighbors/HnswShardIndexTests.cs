using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Tsne.Tests.Neighbors;

public sealed class HnswShardIndexTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    [Fact]
    public void Approximate_neighbours_recall_the_exact_ones()
    {
        const int count = 2000, dimensions = 20, k = 30;
        var (data, _) = TestData.Blobs(count, dimensions, 5, 2);
        var exact = new TopKAccumulator(0, count, k);
        ExactNeighborSearch.Offer(exact, data, data, 0, dimensions, Parallel);
        var approximate = new TopKAccumulator(0, count, k);
        using (var index = HnswShardIndex.Build(data, 0, dimensions, k))
            index.Offer(approximate, data, Parallel);

        var truth = exact.ToGraph();
        var found = approximate.ToGraph();
        double hits = 0;
        for (var i = 0; i < count; i++)
            hits += found.IndicesOf(i).ToArray().Intersect(truth.IndicesOf(i).ToArray()).Count();
        Assert.True(hits / (count * k) >= 0.98, $"recall {hits / (count * k):F4}");
    }

    [Fact]
    public void The_graph_does_not_depend_on_the_thread_count()
    {
        const int count = 1500, dimensions = 16, k = 10;
        var (data, _) = TestData.Blobs(count, dimensions, 4, 2);
        NeighborGraph Search(int threads)
        {
            var top = new TopKAccumulator(0, count, k);
            using var index = HnswShardIndex.Build(data, 0, dimensions, k);
            index.Offer(top, data, new ParallelOptions { MaxDegreeOfParallelism = threads });
            return top.ToGraph();
        }
        var one = Search(1);
        var two = Search(2);
        Assert.Equal(one.Indices, two.Indices);
        Assert.Equal(one.SquaredDistances, two.SquaredDistances);
    }

    [Fact]
    public void Blocks_searched_remotely_give_the_same_lists_as_offering_the_index_directly()
    {
        const int count = 1200, dimensions = 12, k = 8, block = 500;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 2);
        using var index = HnswShardIndex.Build(data.AsMemory(0, 600 * dimensions), 0, dimensions, k);

        var direct = new TopKAccumulator(600, 600, k);
        index.Offer(direct, data.AsMemory(600 * dimensions), Parallel);
        // What a partition does with another partition's index: search a block of rows there, offer the answer here.
        var remote = new TopKAccumulator(600, 600, k);
        for (var first = 0; first < 600; first += block)
        {
            var rows = Math.Min(block, 600 - first);
            var candidates = index.Search(data.AsMemory((600 + first) * dimensions, rows * dimensions), Parallel);
            Assert.Equal(k + 1, candidates.PerRow);
            Assert.Equal(rows, candidates.Rows);
            remote.Offer(candidates, first, Parallel);
        }

        Assert.Equal(direct.ToGraph().Indices, remote.ToGraph().Indices);
        Assert.All(remote.ToGraph().Indices, i => Assert.InRange(i, 0, 599));
    }
}
