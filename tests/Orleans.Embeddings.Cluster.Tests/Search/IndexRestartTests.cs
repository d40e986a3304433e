using Orleans.Embeddings.Cluster.Tests.Jobs;

namespace Orleans.Embeddings.Cluster.Tests.Search;

/// <summary>The index across a restart of the whole cluster over the same database, and as ingestion goes on.</summary>
public sealed class IndexRestartTests
{
    private const int Dimensions = 16;

    [Fact]
    public async Task The_index_is_saved_reloaded_after_a_restart_and_follows_ingestion_without_asking_the_provider_again()
    {
        CountingProvider.Reset();
        var directory = Directory.CreateTempSubdirectory("embeddings-index-restart-").FullName;
        var data = SearchData.Blobs(1500, Dimensions, seed: 8);
        var queries = Enumerable.Range(0, 40).Select(q => q % 2 == 0
            ? NearestQuery.OfId($"img-{q * 31:D5}")
            : NearestQuery.OfVector(SearchData.Row(data, Dimensions, q * 23).Select(v => v - 0.2f).ToArray())).ToArray();
        var options = new NearestOptions(10, NeighborMetric.Euclidean, []);
        NearestMatch[][] before;
        await using (var cluster = await EmbeddingsCluster.Start(silos: 1, directory))
        {
            await cluster.AddCollection("kept", data, Dimensions);
            before = await cluster.Grains.GetGrain<INeighborSearchGrain>("kept").Search(queries, options);
            Assert.Equal(1500, CountingProvider.Calls);
            await WaitUntilSaved(cluster, "kept", 1500);
        }

        await using (var again = await EmbeddingsCluster.Start(silos: 1, directory))
        {
            var search = again.Grains.GetGrain<INeighborSearchGrain>("kept");
            var after = await search.Search(queries, options);
            Assert.Equal(before.Length, after.Length);
            for (var q = 0; q < before.Length; q++) Assert.Equal(SearchData.Values(before[q]), SearchData.Values(after[q]));
            var index = await search.DescribeIndex(NeighborMetric.Euclidean, build: false);
            Assert.True(index.Partitions.Single().Loaded);
            Assert.Equal(1500, index.Partitions.Single().SavedRows);
            Assert.Equal(1500, CountingProvider.Calls);

            // New images are searchable at once: the partition takes them in, its graph is not rebuilt.
            var extra = SearchData.Blobs(100, Dimensions, seed: 9).Select(v => v + 40f).ToArray();
            var added = await AddMore(again, "kept", extra, first: 1500);
            var near = await search.Search([NearestQuery.OfVector(SearchData.Row(extra, Dimensions, 5))], new NearestOptions(3, NeighborMetric.Euclidean, []));
            Assert.Equal(added[5], near[0][0].Id);
            Assert.Equal(1600, (await search.DescribeIndex(NeighborMetric.Euclidean, build: false)).Partitions.Single().Vectors);
            Assert.Equal(1600, CountingProvider.Calls);

            // A new graph setting starts a new index, rebuilt from the stored embeddings: still no provider call.
            await again.Grains.GetGrain<ICollectionGrain>("kept").ConfigureIndex(new NeighborIndexSettings(0, 12, 0, 0));
            var rebuilt = await search.Search(queries, options with { Ef = 200 });
            var exact = await search.Search(queries, options with { Exact = true });
            var recall = SearchData.Recall([.. exact.Select(l => l.Select(m => m.Id))], [.. rebuilt.Select(l => l.Select(m => m.Id))]);
            Assert.True(recall >= 0.99, $"the rebuilt index finds {recall:P1} of the exact neighbours");
            Assert.Equal(12, (await search.DescribeIndex(NeighborMetric.Euclidean, build: false)).Settings.Connectivity);
            Assert.Equal(1600, CountingProvider.Calls);
        }
    }

    [Fact]
    public async Task An_updated_image_is_found_where_its_new_embedding_puts_it_with_its_new_labels()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 1);
        var data = SearchData.Blobs(300, Dimensions, seed: 4);
        await cluster.AddCollection("moving", data, Dimensions);
        var search = cluster.Grains.GetGrain<INeighborSearchGrain>("moving");
        var far = Enumerable.Repeat(-50f, Dimensions).ToArray();
        var first = await search.Search([NearestQuery.OfVector(far)], new NearestOptions(1, NeighborMetric.Euclidean, []));
        Assert.NotEqual("img-00010", first[0][0].Id);

        // The same id again, with a new vector and a new label: an update, not a new member.
        var outcome = await cluster.Grains.GetGrain<ICollectionGrain>("moving").Ingest(
            [new ImageDescription("img-00010", new ImageSource(ImageSourceKind.Vector, Bytes: System.Runtime.InteropServices.MemoryMarshal.AsBytes(far.AsSpan()).ToArray()),
                ["moved"], new Dictionary<string, string>())]);
        Assert.Equal(1, outcome.Updated);
        var moved = await search.Search([NearestQuery.OfVector(far)], new NearestOptions(1, NeighborMetric.Euclidean, []));
        Assert.Equal("img-00010", moved[0][0].Id);
        Assert.Equal(["moved"], moved[0][0].Labels);
        Assert.Equal(0f, moved[0][0].Distance);
        var filtered = await search.Search([NearestQuery.OfVector(data[..Dimensions])], new NearestOptions(5, NeighborMetric.Euclidean, ["moved"]));
        Assert.Equal("img-00010", Assert.Single(filtered[0]).Id);
    }

    private static async Task WaitUntilSaved(EmbeddingsCluster cluster, string collection, int rows)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await cluster.Grains.GetGrain<INeighborSearchGrain>(collection).DescribeIndex(NeighborMetric.Euclidean, build: false)).Partitions.Single().SavedRows < rows)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The index of {collection} was not saved within a minute.");
            await Task.Delay(200);
        }
    }

    /// <summary>Appends rows through a second vectors file, as the fixture's collection was made.</summary>
    private static async Task<string[]> AddMore(EmbeddingsCluster cluster, string collection, float[] data, int first)
    {
        var path = Path.Combine(cluster.Directory, $"{collection}-{first}.tsv");
        var count = data.Length / Dimensions;
        await File.WriteAllLinesAsync(path, Enumerable.Range(0, count).Select(r =>
            string.Join('\t', data.AsSpan(r * Dimensions, Dimensions).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        var ids = Enumerable.Range(first, count).Select(i => $"img-{i:D5}").ToArray();
        await cluster.Grains.GetGrain<ICollectionGrain>(collection).Add([.. ids.Select((id, i) =>
            new ImageDescription(id, new ImageSource(ImageSourceKind.VectorRow, path, i), [$"label-{(first + i) % 5}"], new Dictionary<string, string>()))]);
        return ids;
    }
}
