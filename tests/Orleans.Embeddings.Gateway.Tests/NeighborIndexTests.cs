using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;
using static Orleans.Embeddings.Gateway.Tests.CollectionsTests;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>The index over gRPC: ef and exact, label suggestions, the trust of a map, partitions, ingestion and updates.</summary>
[Collection(HostCollection.Name)]
public sealed class NeighborIndexTests(HostFixture host)
{
    private Neighbors.NeighborsClient Neighbors => host.Clients.Neighbors;

    [Fact]
    public async Task Exact_searches_are_brute_force_and_ef_is_chosen_per_request()
    {
        var vectors = host.StoredVectors;
        foreach (var row in new[] { 2, 150, 298 })
        {
            var expected = BruteForce.Nearest(vectors, vectors[row], 12, exclude: row);
            foreach (var request in new[]
            {
                new SearchRequest { Exact = true },
                new SearchRequest { Ef = HostFixture.PointCount },
                new SearchRequest { Ef = 1 },
            })
            {
                request.Collection = HostFixture.Points;
                request.K = 12;
                request.Query = new NeighborQuery { Id = TestVectors.Id(row) };
                var found = await Neighbors.SearchAsync(request);
                Assert.Equal(12, found.Neighbors.Count);
                if (request.Ef == 1) continue;
                BruteForce.AssertNearest(expected, found.Neighbors, r => BruteForce.Euclidean(vectors[r], vectors[row]));
            }
        }

        var cosine = await Neighbors.SearchBatchAsync(new SearchBatchRequest
        {
            Collection = HostFixture.Points, K = 6, Metric = Metric.Cosine, Exact = true,
            Queries = { new NeighborQuery { Id = TestVectors.Id(5) }, new NeighborQuery { Vector = new Vector { Values = { vectors[6] } } } },
        });
        // The index holds the ingested vectors, scaled to unit length and rounded; a query is scaled and rounded too.
        double CosineTo(float[] query, int r) => BruteForce.StoredCosineDistance(host.Vectors[r], query);
        (int Row, double Distance)[] Expected(float[] query, int exclude) =>
            [.. Enumerable.Range(0, vectors.Length).Where(r => r != exclude).Select(r => (Row: r, Distance: CosineTo(query, r))).OrderBy(e => e.Distance).Take(6)];
        BruteForce.AssertNearest(Expected(host.Vectors[5], exclude: 5), cosine.Results[0].Neighbors, r => CosineTo(host.Vectors[5], r));
        BruteForce.AssertNearest(Expected(vectors[6], exclude: -1), cosine.Results[1].Neighbors, r => CosineTo(vectors[6], r));

        var byId = new NeighborQuery { Id = TestVectors.Id(1) };
        await Expect(StatusCode.InvalidArgument, "ef", () => Neighbors.SearchAsync(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = byId, Ef = 0 }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "ef", () => Neighbors.SearchBatchAsync(new SearchBatchRequest
        {
            Collection = HostFixture.Points, K = 3, Queries = { byId }, Ef = 10_001,
        }).ResponseAsync);
    }

    [Fact]
    public async Task Labels_are_suggested_from_the_nearest_neighbours_with_their_shares()
    {
        // Between the red and the green cluster, so that the neighbours disagree.
        var between = Enumerable.Range(0, TestVectors.Dimensions).Select(d => d % 3 is 0 or 1 ? 4.5f : 1f).ToArray();
        var response = await Neighbors.SuggestLabelsAsync(new SuggestLabelsRequest
        {
            Collection = HostFixture.Points,
            Exact = true,
            Queries = { new NeighborQuery { Id = TestVectors.Id(3) }, new NeighborQuery { Vector = new Vector { Values = { between } } } },
        });
        Assert.Equal(2, response.Results.Count);
        var red = response.Results[0];
        Assert.Equal(20, red.Neighbors);
        var only = Assert.Single(red.Labels);
        Assert.Equal(("red", 20, 1f), (only.Label, only.Count, only.Share));

        var nearest = BruteForce.Nearest(host.StoredVectors, between, 20);
        var expected = nearest.GroupBy(n => TestVectors.LabelOf(n.Row)).Select(g => (Label: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Label, StringComparer.Ordinal).ToArray();
        Assert.True(expected.Length > 1, "the query should sit between clusters");
        Assert.Equal(expected.Select(e => (e.Label, e.Count, e.Count / 20f)), response.Results[1].Labels.Select(l => (l.Label, l.Count, l.Share)));

        var small = await Neighbors.SuggestLabelsAsync(new SuggestLabelsRequest { Collection = HostFixture.Points, K = 5, Queries = { new NeighborQuery { Id = TestVectors.Id(4) } } });
        Assert.Equal(5, small.Results[0].Neighbors);
        Assert.Equal("green", small.Results[0].Labels[0].Label);

        Task Suggest(SuggestLabelsRequest request) => Neighbors.SuggestLabelsAsync(request).ResponseAsync;
        await Expect(StatusCode.InvalidArgument, "k", () => Suggest(new SuggestLabelsRequest { Collection = HostFixture.Points, K = 1001, Queries = { new NeighborQuery { Id = TestVectors.Id(4) } } }));
        await Expect(StatusCode.InvalidArgument, "queries", () => Suggest(new SuggestLabelsRequest { Collection = HostFixture.Points }));
        await Expect(StatusCode.NotFound, "queries[1].id", () => Suggest(new SuggestLabelsRequest
        {
            Collection = HostFixture.Points, Queries = { new NeighborQuery { Id = TestVectors.Id(4) }, new NeighborQuery { Id = "nobody" } },
        }));
        var dimensions = await Expect(StatusCode.InvalidArgument, "queries[0].vector", () => Suggest(new SuggestLabelsRequest
        {
            Collection = HostFixture.Points, Queries = { new NeighborQuery { Vector = new Vector { Values = { 1, 2 } } } },
        }));
        Assert.Contains("2 values where 16", dimensions.Status.Detail);
        await Expect(StatusCode.NotFound, "collection", () => Suggest(new SuggestLabelsRequest { Collection = "nothing", Queries = { new NeighborQuery { Id = "x" } } }));
    }

    [Fact]
    public async Task The_trust_of_a_map_is_the_share_of_embedding_neighbours_it_keeps()
    {
        var job = await host.CompletedJob();
        var page = await host.Clients.Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId });
        var map = Enumerable.Range(0, page.Ids.Count).Select(i => new[] { page.Coordinates[2 * i], page.Coordinates[2 * i + 1] }).ToArray();
        var vectors = page.Ids.Select(id => host.StoredVectors[int.Parse(id[1..])]).ToArray();
        const int k = 10;
        var expected = Enumerable.Range(0, map.Length).Select(row =>
        {
            var inSpace = BruteForce.Nearest(vectors, vectors[row], k, exclude: row).Select(n => n.Row);
            var onMap = BruteForce.Nearest(map, map[row], k, exclude: row).Select(n => n.Row);
            return inSpace.Intersect(onMap).Count();
        }).ToArray();

        // ef = the collection's size: the index answers exactly, so every value can be checked.
        var trust = await Neighbors.GetTrustAsync(new GetTrustRequest
        {
            Collection = HostFixture.Points, JobId = job.JobId, Ef = HostFixture.PointCount, Limit = HostFixture.PointCount,
        });
        Assert.Equal(HostFixture.PointCount, trust.Summary.Points);
        Assert.Equal(k, trust.Summary.K);
        Assert.Equal(Enumerable.Range(0, k + 1).Select(kept => expected.Count(e => e == kept)), trust.Summary.Histogram);
        Assert.Equal(expected.Average() / k, trust.Summary.Mean, 6);
        Assert.Equal(page.Ids, trust.Images.Select(i => i.Id));
        Assert.Equal(expected.Select(e => e / (float)k), trust.Images.Select(i => i.Trust));
        Assert.All(trust.Images, i => Assert.Equal([TestVectors.LabelOf(int.Parse(i.Id[1..]))], i.Labels));

        var worst = await Neighbors.GetTrustAsync(new GetTrustRequest
        {
            Collection = HostFixture.Points, JobId = job.JobId, Ef = HostFixture.PointCount, Limit = 5, LeastTrustedFirst = true,
        });
        Assert.Equal(expected.Order().Take(5).Select(e => e / (float)k), worst.Images.Select(i => i.Trust));
        var some = await Neighbors.GetTrustAsync(new GetTrustRequest
        {
            Collection = HostFixture.Points, JobId = job.JobId, Ef = HostFixture.PointCount, Ids = { page.Ids[7], page.Ids[70] },
        });
        Assert.Equal([expected[7] / (float)k, expected[70] / (float)k], some.Images.Select(i => i.Trust));

        Task Trust(GetTrustRequest request) => Neighbors.GetTrustAsync(request).ResponseAsync;
        await Expect(StatusCode.NotFound, "job_id", () => Trust(new GetTrustRequest { Collection = HostFixture.Points, JobId = "no-such-job" }));
        await Expect(StatusCode.NotFound, "ids[1]", () => Trust(new GetTrustRequest { Collection = HostFixture.Points, JobId = job.JobId, Ids = { page.Ids[0], "nobody" } }));
        await Expect(StatusCode.InvalidArgument, "k", () => Trust(new GetTrustRequest { Collection = HostFixture.Points, JobId = job.JobId, K = -1 }));
        await Expect(StatusCode.InvalidArgument, "limit", () => Trust(new GetTrustRequest { Collection = HostFixture.Points, JobId = job.JobId, Limit = 10_001 }));
        await Expect(StatusCode.InvalidArgument, "job_id", () => Trust(new GetTrustRequest { Collection = HostFixture.Points }));
    }

    [Fact]
    public async Task A_partitioned_index_follows_ingestion_and_updates()
    {
        const string collection = "partitioned";
        await host.Clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = collection, Provider = "vectors", Dimensions = TestVectors.Dimensions });
        await host.Clients.Ingest(collection, host.Vectors.Select(TestVectors.Item));
        var settings = await Neighbors.ConfigureIndexAsync(new ConfigureIndexRequest { Collection = collection, PartitionSize = 100, DefaultEf = 40 });
        Assert.Equal((100, 16, 200, 40, IndexStorage.Float16), (settings.PartitionSize, settings.Connectivity, settings.ExpansionAdd, settings.DefaultEf, settings.Storage));

        var index = await Neighbors.GetIndexAsync(new GetIndexRequest { Collection = collection, Build = true });
        Assert.Equal(HostFixture.PointCount, index.Members);
        Assert.Equal([0, 100, 200], index.Partitions.Select(p => p.Start));
        Assert.All(index.Partitions, p => Assert.Equal((100, 100L, TestVectors.Dimensions, true), (p.Rows, p.Vectors, p.Dimensions, p.Loaded)));
        Assert.True(index.MemoryBytes > 0);

        foreach (var row in new[] { 0, 99, 100, 250 })
        {
            var found = await Neighbors.SearchAsync(new SearchRequest { Collection = collection, K = 8, Query = new NeighborQuery { Id = TestVectors.Id(row) } });
            Assert.Equal(BruteForce.Nearest(host.StoredVectors, host.StoredVectors[row], 8, exclude: row).Select(e => TestVectors.Id(e.Row)), found.Neighbors.Select(n => n.Id));
        }

        // Ten new points far from the rest: searchable at once, in a fourth partition.
        var added = Enumerable.Range(0, 10).Select(i => Enumerable.Range(0, TestVectors.Dimensions).Select(d => 50f + i + d * 0.01f).ToArray()).ToArray();
        await host.Clients.Ingest(collection, added.Select((v, i) => new IngestItem { Id = $"new{i}", Vector = new Vector { Values = { v } }, Labels = { "new" } }));
        var near = await Neighbors.SearchAsync(new SearchRequest { Collection = collection, K = 3, Query = new NeighborQuery { Vector = new Vector { Values = { added[4] } } } });
        Assert.Equal("new4", near.Neighbors[0].Id);
        Assert.Equal(["new3", "new5"], near.Neighbors.Skip(1).Select(n => n.Id).Order());
        var grown = await Neighbors.GetIndexAsync(new GetIndexRequest { Collection = collection });
        Assert.Equal([100L, 100L, 100L, 10L], grown.Partitions.Select(p => p.Vectors));

        // An image ingested again with a new vector and label moves in the index.
        await host.Clients.Ingest(collection, [new IngestItem { Id = TestVectors.Id(120), Vector = new Vector { Values = { added[0].Select(v => v + 0.001f) } }, Labels = { "moved" } }]);
        var moved = await Neighbors.SearchAsync(new SearchRequest { Collection = collection, K = 2, Query = new NeighborQuery { Id = "new0" } });
        Assert.Equal(TestVectors.Id(120), moved.Neighbors[0].Id);
        Assert.Equal(["moved"], moved.Neighbors[0].Labels);

        // Full-precision vectors: a new index, built from the stored embeddings, ranking by the vectors as given.
        var full = await Neighbors.ConfigureIndexAsync(new ConfigureIndexRequest { Collection = collection, Storage = IndexStorage.Float32 });
        Assert.Equal(IndexStorage.Float32, full.Storage);
        var rebuilt = await Neighbors.GetIndexAsync(new GetIndexRequest { Collection = collection, Build = true });
        Assert.Equal(HostFixture.PointCount + 10, rebuilt.Vectors);
        Assert.Equal(IndexStorage.Float32, rebuilt.Settings.Storage);
        var fullFound = await Neighbors.SearchAsync(new SearchRequest { Collection = collection, K = 8, Exact = true, Query = new NeighborQuery { Id = TestVectors.Id(0) } });
        Assert.Equal(BruteForce.Nearest(host.Vectors, host.Vectors[0], 8, exclude: 0, where: r => r != 120).Select(e => TestVectors.Id(e.Row)), fullFound.Neighbors.Select(n => n.Id));

        await Expect(StatusCode.InvalidArgument, "connectivity", () => Neighbors.ConfigureIndexAsync(new ConfigureIndexRequest { Collection = collection, Connectivity = 1 }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "default_ef", () => Neighbors.ConfigureIndexAsync(new ConfigureIndexRequest { Collection = collection, DefaultEf = -3 }).ResponseAsync);
        await Expect(StatusCode.NotFound, "collection", () => Neighbors.GetIndexAsync(new GetIndexRequest { Collection = "nothing" }).ResponseAsync);
    }
}
