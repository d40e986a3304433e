using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Tsne.Tests.Neighbors;

public sealed class RandomProjectionForestTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Recalls_the_exact_neighbours_for_any_shard_count(int shardCount)
    {
        const int count = 6_000, dimensions = 20, k = 30;
        var (data, _) = TestData.Blobs(count, dimensions, 8, 2);
        var truth = Exact(data, dimensions, k);

        var found = Search(data, dimensions, k, shardCount, Parallel);

        double hits = 0;
        for (var i = 0; i < count; i++)
        {
            var row = found.IndicesOf(i).ToArray();
            Assert.Equal(k, row.Distinct().Count());
            Assert.DoesNotContain(i, row);
            hits += row.Intersect(truth.IndicesOf(i).ToArray()).Count();
        }
        Assert.True(hits / (count * k) >= 0.95, $"recall {hits / (count * k):F4}");
    }

    [Fact]
    public void The_lists_do_not_depend_on_the_thread_count()
    {
        const int count = 3_000, dimensions = 12, k = 15;
        var (data, _) = TestData.Blobs(count, dimensions, 5, 2);
        var one = Search(data, dimensions, k, 2, new ParallelOptions { MaxDegreeOfParallelism = 1 });
        var two = Search(data, dimensions, k, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(one.Indices, two.Indices);
        Assert.Equal(one.SquaredDistances, two.SquaredDistances);
    }

    [Fact]
    public void A_tree_places_every_row_in_one_leaf_of_bounded_size()
    {
        const int count = 5_000, dimensions = 8, leafRows = 200, minimum = 50;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 4);
        var tree = RandomProjectionTree.Build(data, dimensions, leafRows, minimum, seed: 7);

        Assert.Equal(Enumerable.Range(0, count), tree.Order.Order());
        for (var leaf = 0; leaf < tree.LeafCount; leaf++)
        {
            Assert.InRange(tree.Leaf(leaf).Length, minimum, leafRows);
            // A row of the tree descends to the leaf that lists it unless it lies on a median split's threshold.
            foreach (var row in tree.Leaf(leaf).ToArray()[..5])
                Assert.Equal(leaf, tree.LeafOf(data.AsSpan(row * dimensions, dimensions)));
        }
    }

    [Fact]
    public void Duplicates_and_outliers_still_get_k_neighbours()
    {
        const int dimensions = 4, k = 10;
        // 600 copies of one row, which no hyperplane separates, and 3 rows far from everything.
        var data = new float[603 * dimensions];
        for (var i = 0; i < 600; i++) data.AsSpan(i * dimensions, dimensions).Fill(1f);
        for (var i = 600; i < 603; i++) data[i * dimensions] = 1_000f * (i - 599);

        var forest = RandomProjectionForest.Build(data, 0, dimensions, 603, k, seed: 3, Parallel, treeCount: 4, leafRows: 64);
        var top = new TopKAccumulator(0, 603, k);
        forest.Offer(top, data, data, dimensions, Parallel);
        var graph = top.ToGraph();

        Assert.All(Enumerable.Range(0, 603), i => Assert.Equal(k, graph.IndicesOf(i).ToArray().Distinct().Count()));
        Assert.All(Enumerable.Range(0, 600), i => Assert.All(graph.DistancesOf(i).ToArray(), d => Assert.Equal(0f, d)));
    }

    [Fact]
    public void A_candidate_met_in_several_trees_is_kept_once()
    {
        var top = new TopKAccumulator(0, 1, 3);
        foreach (var (candidate, distance) in new[] { (5, 1f), (5, 1f), (6, 2f), (5, 1f), (7, 3f), (6, 2f), (8, 0.5f) })
            top.Offer(0, candidate, distance);
        Assert.Equal([8, 5, 6], top.ToGraph().IndicesOf(0).ToArray());
    }

    [Fact]
    public void Trees_offered_one_at_a_time_give_the_forests_lists()
    {
        // What a partition does with another partition's forest: fetch its rows and its trees, and offer each tree.
        const int count = 2_000, dimensions = 10, k = 12;
        var (data, _) = TestData.Blobs(count, dimensions, 4, 2);
        var owner = data.AsMemory(1_024 * dimensions);
        var forest = RandomProjectionForest.Build(owner, 1_024, dimensions, count, k, seed: 5, Parallel, treeCount: 6, leafRows: 256);
        var queries = data.AsMemory(0, 1_024 * dimensions);

        var whole = new TopKAccumulator(0, 1_024, k);
        forest.Offer(whole, queries, owner, dimensions, Parallel);
        var byTree = new TopKAccumulator(0, 1_024, k);
        foreach (var tree in forest.Trees) tree.Offer(byTree, queries, owner, 1_024, dimensions, Parallel);

        Assert.Equal(whole.ToGraph().Indices, byTree.ToGraph().Indices);
        Assert.All(byTree.ToGraph().Indices, i => Assert.InRange(i, 1_024, count - 1));
    }

    private static NeighborGraph Exact(float[] data, int dimensions, int k)
    {
        var count = data.Length / dimensions;
        var top = new TopKAccumulator(0, count, k);
        ExactNeighborSearch.Offer(top, data, data, 0, dimensions, Parallel);
        return top.ToGraph();
    }

    // Every shard grows a forest and every shard's rows are offered to every forest, as a run does.
    private static NeighborGraph Search(float[] data, int dimensions, int k, int shardCount, ParallelOptions parallel)
    {
        var count = data.Length / dimensions;
        var layout = ShardLayout.Split(count, shardCount);
        ReadOnlyMemory<float> Rows(int s) => data.AsMemory(layout.Start(s) * dimensions, layout.Count(s) * dimensions);
        var forests = Enumerable.Range(0, layout.ShardCount)
            .Select(s => RandomProjectionForest.Build(Rows(s), layout.Start(s), dimensions, count, k, seed: 42, parallel, leafRows: 256)).ToArray();
        var indices = new List<int>();
        var distances = new List<float>();
        for (var query = 0; query < layout.ShardCount; query++)
        {
            var top = new TopKAccumulator(layout.Start(query), layout.Count(query), k);
            for (var owner = 0; owner < layout.ShardCount; owner++) forests[owner].Offer(top, Rows(query), Rows(owner), dimensions, parallel);
            var graph = top.ToGraph();
            indices.AddRange(graph.Indices);
            distances.AddRange(graph.SquaredDistances);
        }
        return new NeighborGraph(0, count, k, [.. indices], [.. distances]);
    }
}
