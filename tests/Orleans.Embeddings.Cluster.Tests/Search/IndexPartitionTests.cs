using Orleans.Embeddings.Grains.Neighbors;

namespace Orleans.Embeddings.Cluster.Tests.Search;

/// <summary>One index partition in memory: filtered graph walks, exact scans, replaced rows and the saved form.</summary>
public sealed class IndexPartitionTests
{
    private const int Dimensions = 8;
    private const int Count = 10_000;

    private static readonly ParallelOptions Threads = new() { MaxDegreeOfParallelism = 2 };

    private static readonly float[] Data = SearchData.Blobs(Count, Dimensions, seed: 21);

    private static IndexPartition Build(NeighborMetric metric)
    {
        var partition = IndexPartition.Create(metric, Dimensions);
        partition.Append([.. Enumerable.Range(0, Count).Select(r => new PartitionRow($"r{r}", [$"l{r % 4}"], SearchData.Row(Data, Dimensions, r)))], threads: 1);
        return partition;
    }

    private static float[] Queries(int count) => [.. Enumerable.Range(0, count).SelectMany(q => SearchData.Row(Data, Dimensions, q * 97).Select(v => v + 0.1f))];

    [Fact]
    public void A_filter_over_many_rows_walks_the_graph_and_keeps_only_qualifying_rows()
    {
        using var partition = Build(NeighborMetric.Euclidean);
        var queries = Queries(50);
        // Half the rows qualify: far more than an exact scan would take on.
        var options = new NearestOptions(10, NeighborMetric.Euclidean, ["l1", "l3"], Ef: 64);
        var found = partition.Search([.. queries], new string?[50], options, int.MaxValue, Threads);
        var exact = partition.Search([.. queries], new string?[50], options with { Exact = true }, int.MaxValue, Threads);
        Assert.All(found.SelectMany(f => f), m => Assert.Contains(m.Labels[0], new[] { "l1", "l3" }));
        var recall = SearchData.Recall([.. exact.Select(l => l.Select(m => m.Id))], [.. found.Select(l => l.Select(m => m.Id))]);
        Assert.True(recall >= 0.98, $"filtered recall {recall:F3}");
        for (var q = 0; q < 50; q++)
            Assert.Equal(SearchData.Nearest(Data, Dimensions, queries[(q * Dimensions)..((q + 1) * Dimensions)], 10, where: r => r % 2 == 1).Select(r => $"r{r}"),
                exact[q].Select(m => m.Id));
    }

    [Fact]
    public void A_limit_keeps_only_the_first_rows_and_the_excluded_image_never_appears()
    {
        using var partition = Build(NeighborMetric.Euclidean);
        var query = SearchData.Row(Data, Dimensions, 9_000);
        var limited = partition.Search([.. query], ["r9000"], new NearestOptions(10, NeighborMetric.Euclidean, [], Ef: 200), limit: 5_000, Threads);
        Assert.All(limited[0], m => Assert.True(int.Parse(m.Id[1..]) < 5_000, m.Id));
        var own = partition.Search([.. query], ["r9000"], new NearestOptions(10, NeighborMetric.Euclidean, [], Ef: 200), int.MaxValue, Threads);
        var exact = partition.Search([.. query], ["r9000"], new NearestOptions(10, NeighborMetric.Euclidean, [], Exact: true), int.MaxValue, Threads);
        Assert.DoesNotContain("r9000", own[0].Select(m => m.Id));
        Assert.Equal(SearchData.Nearest(Data, Dimensions, query, 10, exclude: 9_000).Select(r => $"r{r}"), exact[0].Select(m => m.Id));
        // A graph walk may miss a neighbour now and then (HNSW leaves a few nodes hard to reach).
        Assert.True(own[0].Select(m => m.Id).Intersect(exact[0].Select(m => m.Id)).Count() >= 9, string.Join(", ", own[0].Select(m => m.Id)));
    }

    [Fact]
    public void Cosine_distances_are_one_minus_the_cosine_similarity()
    {
        using var partition = Build(NeighborMetric.Cosine);
        var query = SearchData.Row(Data, Dimensions, 3).Select(v => v * 3).ToArray();
        var found = partition.Search([.. query], [null], new NearestOptions(5, NeighborMetric.Cosine, [], Exact: true), int.MaxValue, Threads);
        Assert.Equal("r3", found[0][0].Id);
        Assert.Equal(0f, found[0][0].Distance, 5);
        var row = SearchData.Row(Data, Dimensions, int.Parse(found[0][1].Id[1..]));
        var cosine = query.Zip(row, (a, b) => (double)a * b).Sum() / Math.Sqrt(query.Sum(a => (double)a * a) * row.Sum(b => (double)b * b));
        Assert.Equal(1 - cosine, found[0][1].Distance, 5);
    }

    [Fact]
    public void A_saved_partition_loads_with_the_same_graph_rows_and_labels()
    {
        using var partition = Build(NeighborMetric.Euclidean);
        partition.Replace(17, ["moved"], [.. Enumerable.Repeat(100f, Dimensions)]);
        partition.Replace(18, ["gone"], null);
        var path = Path.GetTempFileName();
        try
        {
            using var rows = new MemoryStream();
            partition.SaveRows(rows);
            partition.Graph.Save(path);
            rows.Position = 0;
            using var loaded = IndexPartition.Load(rows, path, NeighborMetric.Euclidean, Dimensions, HnswIndex.DefaultConnectivity, HnswIndex.DefaultExpansionAdd);
            Assert.Equal(Count, loaded.Count);
            Assert.Equal(Count - 1, loaded.Vectors);
            var queries = Queries(30);
            var options = new NearestOptions(10, NeighborMetric.Euclidean, [], Ef: 32);
            var before = partition.Search([.. queries], new string?[30], options, int.MaxValue, Threads);
            var after = loaded.Search([.. queries], new string?[30], options, int.MaxValue, Threads);
            for (var q = 0; q < 30; q++) Assert.Equal(SearchData.Values(before[q]), SearchData.Values(after[q]));
            var moved = loaded.Search([.. Enumerable.Repeat(100f, Dimensions)], [null], new NearestOptions(1, NeighborMetric.Euclidean, ["moved", "gone"]), int.MaxValue, Threads);
            Assert.Equal(("r17", 0f, "moved"), SearchData.Values(moved[0]).Single());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_float16_partition_refuses_values_beyond_float16_and_keeps_its_rows()
    {
        using var partition = IndexPartition.Create(NeighborMetric.Euclidean, Dimensions, storage: HnswStorage.Float16);
        partition.Append([.. Enumerable.Range(0, 100).Select(r => new PartitionRow($"r{r}", [], SearchData.Row(Data, Dimensions, r)))], threads: 1);
        var huge = Enumerable.Repeat(1f, Dimensions).ToArray();
        huge[3] = 70_000f;
        var refused = Assert.Throws<ArgumentException>(() => partition.Append(
            [new PartitionRow("fits", [], SearchData.Row(Data, Dimensions, 100)), new PartitionRow("too-big", [], huge)], threads: 1));
        Assert.Contains("'too-big'", refused.Message);
        Assert.Contains("float32", refused.Message);
        Assert.Equal((100, 100L, -1), (partition.Count, partition.Vectors, partition.KeyOf("fits")));
        Assert.Throws<ArgumentException>(() => partition.Replace(5, [], huge));
        Assert.Equal(5, partition.KeyOf("r5"));

        // A cosine graph stores unit vectors, and float32 stores anything.
        using var cosine = IndexPartition.Create(NeighborMetric.Cosine, Dimensions, storage: HnswStorage.Float16);
        cosine.Append([new PartitionRow("too-big", [], huge)], threads: 1);
        using var wide = IndexPartition.Create(NeighborMetric.Euclidean, Dimensions);
        wide.Append([new PartitionRow("too-big", [], huge)], threads: 1);
        Assert.Equal((1L, 1L), (cosine.Vectors, wide.Vectors));
    }
}
