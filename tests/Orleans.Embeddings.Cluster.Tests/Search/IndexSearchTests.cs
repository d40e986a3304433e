using Orleans.Embeddings.Cluster.Tests.Jobs;

namespace Orleans.Embeddings.Cluster.Tests.Search;

/// <summary>The approximate index on two in-process silos: recall, partitions, filters, queries by id, batches and errors.</summary>
public sealed class IndexSearchTests(IndexSearchTests.Fixture cluster) : IClassFixture<IndexSearchTests.Fixture>
{
    private const int MnistCount = 3000;
    private const int BlobCount = 4800;
    private const int BlobDimensions = 24;

    private IGrainFactory Grains => cluster.Cluster.Grains;

    [Fact]
    public async Task Recall_at_10_against_exact_search_is_at_least_99_percent_at_the_defaults()
    {
        // Queries: images of the test split that are not in the collection, and images of it by id.
        var held = SearchData.FashionMnist(MnistCount + 200).AsSpan(MnistCount * 784).ToArray();
        NearestQuery[] queries =
        [
            .. Enumerable.Range(0, 200).Select(q => NearestQuery.OfVector(SearchData.Row(held, 784, q))),
            .. Enumerable.Range(0, 100).Select(q => NearestQuery.OfId(cluster.MnistIds[q * 29])),
        ];
        var search = Grains.GetGrain<INeighborSearchGrain>("mnist");
        foreach (var metric in new[] { NeighborMetric.Euclidean, NeighborMetric.Cosine })
        {
            var approximate = await search.Search(queries, new NearestOptions(10, metric, []));
            var exact = await search.Search(queries, new NearestOptions(10, metric, [], Exact: true));
            Assert.All(approximate, list => Assert.Equal(10, list.Length));
            var recall = SearchData.Recall([.. exact.Select(l => l.Select(m => m.Id))], [.. approximate.Select(l => l.Select(m => m.Id))]);
            Assert.True(recall >= 0.99, $"{metric} recall@10 is {recall:F4}");
        }

        // The exact flag is brute force: the same neighbours as a double-precision scan of the stored (float16) vectors.
        var exactEuclidean = await search.Search(queries[..20], new NearestOptions(10, NeighborMetric.Euclidean, [], Exact: true));
        for (var q = 0; q < 20; q++)
            Assert.Equal(SearchData.Nearest(cluster.StoredMnist, 784, SearchData.AsStored(queries[q].Vector!), 10).Select(r => cluster.MnistIds[r]), exactEuclidean[q].Select(m => m.Id));
    }

    [Fact]
    public async Task One_or_four_partitions_give_the_same_neighbours()
    {
        var info = await Task.WhenAll(
            Grains.GetGrain<INeighborSearchGrain>("one").DescribeIndex(NeighborMetric.Euclidean, build: true),
            Grains.GetGrain<INeighborSearchGrain>("four").DescribeIndex(NeighborMetric.Euclidean, build: true));
        Assert.Single(info[0].Partitions);
        Assert.Equal(4, info[1].Partitions.Length);
        Assert.All(info[1].Partitions, p => Assert.Equal(BlobCount / 4, p.Vectors));

        var queries = Enumerable.Range(0, 200).Select(q => q % 2 == 0
            ? NearestQuery.OfId(cluster.BlobIds[q * 9])
            : NearestQuery.OfVector(SearchData.Row(cluster.Blobs, BlobDimensions, q * 7).Select(v => v + 0.3f).ToArray())).ToArray();
        // Brute force gives the same lists whatever the partitioning: the partitions' lists merge exactly.
        var exact = new NearestOptions(10, NeighborMetric.Euclidean, [], Exact: true);
        var oneExact = await Grains.GetGrain<INeighborSearchGrain>("one").Search(queries, exact);
        var fourExact = await Grains.GetGrain<INeighborSearchGrain>("four").Search(queries, exact);
        for (var q = 0; q < queries.Length; q++)
        {
            var vector = queries[q].Vector ?? SearchData.Row(cluster.Blobs, BlobDimensions, Array.IndexOf(cluster.BlobIds, queries[q].Id));
            var exclude = queries[q].Id is { } id ? Array.IndexOf(cluster.BlobIds, id) : -1;
            Assert.Equal(SearchData.Nearest(cluster.StoredBlobs, BlobDimensions, SearchData.AsStored(vector), 10, exclude).Select(r => cluster.BlobIds[r]), oneExact[q].Select(m => m.Id));
            Assert.Equal(SearchData.Values(oneExact[q]), SearchData.Values(fourExact[q]));
        }

        // The graphs differ (one of 4,800 nodes, four of 1,200), yet they find the same neighbours, at the defaults and wider.
        foreach (var ef in new[] { 0, 200 })
        {
            var options = new NearestOptions(10, NeighborMetric.Euclidean, [], Ef: ef);
            var one = await Grains.GetGrain<INeighborSearchGrain>("one").Search(queries, options);
            var four = await Grains.GetGrain<INeighborSearchGrain>("four").Search(queries, options);
            var agreement = SearchData.Recall([.. one.Select(l => l.Select(m => m.Id))], [.. four.Select(l => l.Select(m => m.Id))]);
            var recallOne = SearchData.Recall([.. oneExact.Select(l => l.Select(m => m.Id))], [.. one.Select(l => l.Select(m => m.Id))]);
            var recallFour = SearchData.Recall([.. oneExact.Select(l => l.Select(m => m.Id))], [.. four.Select(l => l.Select(m => m.Id))]);
            Assert.True(agreement >= 0.99 && recallOne >= 0.99 && recallFour >= 0.99,
                $"ef {ef}: 1 and 4 partitions agree on {agreement:P2} of the neighbours; recall@10 {recallOne:P2} and {recallFour:P2}");
            // Where both found the exact list, they report the same distances.
            for (var q = 0; q < queries.Length; q++)
                if (one[q].Select(m => m.Id).SequenceEqual(four[q].Select(m => m.Id)))
                    Assert.Equal(one[q].Select(m => m.Distance), four[q].Select(m => m.Distance));
        }
    }

    [Fact]
    public async Task Label_filters_queries_by_id_and_batches_answer_as_exact_search_would()
    {
        var search = Grains.GetGrain<INeighborSearchGrain>("one");
        var query = SearchData.Row(cluster.Blobs, BlobDimensions, 40);
        // One label in five: few enough rows to be scanned exactly.
        var rare = await search.Search([NearestQuery.OfVector(query)], new NearestOptions(15, NeighborMetric.Euclidean, ["label-3"]));
        Assert.Equal(SearchData.Nearest(cluster.StoredBlobs, BlobDimensions, SearchData.AsStored(query), 15, where: r => r % 5 == 3).Select(r => cluster.BlobIds[r]), rare[0].Select(m => m.Id));
        Assert.All(rare[0], m => Assert.Equal(["label-3"], m.Labels));

        // Any of three labels, for a query by vector and one by id.
        var wanted = new[] { "label-0", "label-1", "label-4" };
        var common = await search.Search([NearestQuery.OfVector(query), NearestQuery.OfId(cluster.BlobIds[41])], new NearestOptions(10, NeighborMetric.Euclidean, wanted));
        Assert.All(common.SelectMany(l => l), m => Assert.Contains(m.Labels[0], wanted));
        var expected = SearchData.Nearest(cluster.StoredBlobs, BlobDimensions, SearchData.AsStored(query), 10, where: r => r % 5 is 0 or 1 or 4).Select(r => cluster.BlobIds[r]);
        Assert.Equal(expected, common[0].Select(m => m.Id));
        Assert.DoesNotContain(cluster.BlobIds[41], common[1].Select(m => m.Id));

        // A query by id leaves the image out; a batch answers each query as a single search does.
        var byId = await search.Search([NearestQuery.OfId(cluster.BlobIds[7])], new NearestOptions(5, NeighborMetric.Euclidean, [], Exact: true));
        Assert.Equal(SearchData.Nearest(cluster.StoredBlobs, BlobDimensions, SearchData.Row(cluster.StoredBlobs, BlobDimensions, 7), 5, exclude: 7).Select(r => cluster.BlobIds[r]),
            byId[0].Select(m => m.Id));
        NearestQuery[] batch = [NearestQuery.OfId(cluster.BlobIds[7]), NearestQuery.OfVector(query), NearestQuery.OfId(cluster.BlobIds[900])];
        var together = await search.Search(batch, new NearestOptions(8, NeighborMetric.Euclidean, []));
        for (var q = 0; q < batch.Length; q++)
            Assert.Equal(SearchData.Values((await search.Search([batch[q]], new NearestOptions(8, NeighborMetric.Euclidean, [])))[0]), SearchData.Values(together[q]));
    }

    [Fact]
    public async Task Bad_requests_name_the_field()
    {
        var search = Grains.GetGrain<INeighborSearchGrain>("one");
        var k = await Assert.ThrowsAsync<ArgumentException>(() => search.Search([NearestQuery.OfId(cluster.BlobIds[0])], new NearestOptions(0, NeighborMetric.Euclidean, [])));
        Assert.StartsWith("k:", k.Message);
        var unknown = await Assert.ThrowsAsync<KeyNotFoundException>(() => search.Search([NearestQuery.OfId("nobody")], new NearestOptions(3, NeighborMetric.Euclidean, [])));
        Assert.StartsWith("queries[0].id:", unknown.Message);
        var dimensions = await Assert.ThrowsAsync<ArgumentException>(() => search.Search([NearestQuery.OfVector([1f, 2f, 3f])], new NearestOptions(3, NeighborMetric.Euclidean, [])));
        Assert.StartsWith("vector: 3 values where collection 'one' has 24 dimensions", dimensions.Message);
        var missing = await Assert.ThrowsAsync<KeyNotFoundException>(() => Grains.GetGrain<INeighborSearchGrain>("nowhere").Search([NearestQuery.OfVector([1f])], new NearestOptions(3, NeighborMetric.Euclidean, [])));
        Assert.StartsWith("collection:", missing.Message);
    }

    /// <summary>Two silos with three collections: 3,000 Fashion-MNIST images, and 4,800 blobs in one partition and in four.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public EmbeddingsCluster Cluster { get; private set; } = null!;

        public float[] Mnist { get; } = SearchData.FashionMnist(MnistCount);

        public float[] Blobs { get; } = SearchData.Blobs(BlobCount, BlobDimensions);

        public float[] StoredMnist => field ??= SearchData.AsStored(Mnist);

        public float[] StoredBlobs => field ??= SearchData.AsStored(Blobs);

        public string[] MnistIds { get; private set; } = [];

        public string[] BlobIds { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Cluster = await EmbeddingsCluster.Start(silos: 2);
            MnistIds = await Cluster.AddCollection("mnist", Mnist, 784);
            BlobIds = await Cluster.AddCollection("one", Blobs, BlobDimensions);
            await Cluster.AddCollection("four", Blobs, BlobDimensions);
            await Cluster.Grains.GetGrain<ICollectionGrain>("four").ConfigureIndex(new NeighborIndexSettings(BlobCount / 4, 0, 0, 0));
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }
}
