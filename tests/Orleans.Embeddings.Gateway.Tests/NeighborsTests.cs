using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;
using static Orleans.Embeddings.Gateway.Tests.CollectionsTests;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class NeighborsTests(HostFixture host)
{
    private Neighbors.NeighborsClient Neighbors => host.Clients.Neighbors;

    [Fact]
    public async Task Searches_by_id_and_by_vector_find_what_a_brute_force_search_finds()
    {
        var vectors = host.StoredVectors;
        foreach (var row in new[] { 0, 7, 151, 299 })
        {
            var expected = BruteForce.Nearest(vectors, vectors[row], 8, exclude: row);
            var byId = await Neighbors.SearchAsync(new SearchRequest { Collection = HostFixture.Points, K = 8, Query = new NeighborQuery { Id = TestVectors.Id(row) } });
            BruteForce.AssertNearest(expected, byId.Neighbors, r => BruteForce.Euclidean(vectors[r], vectors[row]));
            Assert.All(byId.Neighbors, n => Assert.Equal([TestVectors.LabelOf(int.Parse(n.Id[1..]))], n.Labels));

            // By vector the image itself is a neighbour, at distance 0.
            var byVector = await Neighbors.SearchAsync(new SearchRequest
            {
                Collection = HostFixture.Points, K = 3, Query = new NeighborQuery { Vector = new Vector { Values = { vectors[row] } } },
            });
            Assert.Equal(TestVectors.Id(row), byVector.Neighbors[0].Id);
            Assert.Equal(0f, byVector.Neighbors[0].Distance, 4);
            BruteForce.AssertNearest(expected[..2], byVector.Neighbors.Skip(1), r => BruteForce.Euclidean(vectors[r], vectors[row]));
        }

        var cosine = await Neighbors.SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, K = 5, Metric = Metric.Cosine, Query = new NeighborQuery { Id = TestVectors.Id(10) },
        });
        var expectedCosine = Enumerable.Range(0, vectors.Length).Where(r => r != 10)
            .Select(r => (Row: r, Distance: BruteForce.StoredCosineDistance(host.Vectors[r], host.Vectors[10]))).OrderBy(e => e.Distance).Take(5).ToArray();
        BruteForce.AssertNearest(expectedCosine, cosine.Neighbors, r => BruteForce.StoredCosineDistance(host.Vectors[r], host.Vectors[10]));
    }

    [Fact]
    public async Task A_label_filter_keeps_only_images_with_one_of_the_labels()
    {
        // Row 0 is red; asking for blue neighbours crosses clusters.
        var blue = await Neighbors.SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, K = 6, Labels = { "blue" }, Query = new NeighborQuery { Id = TestVectors.Id(0) },
        });
        var expected = BruteForce.Nearest(host.StoredVectors, host.StoredVectors[0], 6, exclude: 0, where: r => TestVectors.LabelOf(r) == "blue");
        Assert.Equal(expected.Select(e => TestVectors.Id(e.Row)), blue.Neighbors.Select(n => n.Id));
        Assert.All(blue.Neighbors, n => Assert.Equal(["blue"], n.Labels));

        var none = await Neighbors.SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, K = 6, Labels = { "purple" }, Query = new NeighborQuery { Id = TestVectors.Id(0) },
        });
        Assert.Empty(none.Neighbors);
    }

    [Fact]
    public async Task A_batch_answers_each_query_as_a_single_search_would()
    {
        NeighborQuery[] queries =
        [
            new() { Id = TestVectors.Id(3) },
            new() { Vector = new Vector { Values = { host.Vectors[42].Select(v => v + 0.25f) } } },
            new() { Id = TestVectors.Id(200) },
        ];
        var batch = await Neighbors.SearchBatchAsync(new SearchBatchRequest { Collection = HostFixture.Points, K = 4, Queries = { queries } });
        Assert.Equal(3, batch.Results.Count);
        for (var q = 0; q < queries.Length; q++)
        {
            var single = await Neighbors.SearchAsync(new SearchRequest { Collection = HostFixture.Points, K = 4, Query = queries[q] });
            Assert.Equal(single.Neighbors, batch.Results[q].Neighbors);
        }
    }

    [Fact]
    public async Task A_search_on_a_map_finds_the_nearest_points_of_the_map()
    {
        var job = await host.CompletedJob();
        var page = await host.Clients.Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId });
        var points = Enumerable.Range(0, page.Ids.Count).Select(i => new[] { page.Coordinates[2 * i], page.Coordinates[2 * i + 1] }).ToArray();

        var byId = await Neighbors.SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, Space = Space.Map, JobId = job.JobId, K = 5, Query = new NeighborQuery { Id = TestVectors.Id(17) },
        });
        var expected = BruteForce.Nearest(points, points[17], 5, exclude: 17);
        Assert.Equal(expected.Select(e => page.Ids[e.Row]), byId.Neighbors.Select(n => n.Id));
        Assert.Equal(expected.Select(e => e.Distance), byId.Neighbors.Select(n => (double)n.Distance), BruteForce.Tolerance);

        var byPoint = await Neighbors.SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, Space = Space.Map, JobId = job.JobId, K = 1, Labels = { "green" },
            Query = new NeighborQuery { Vector = new Vector { Values = { 0f, 0f } } },
        });
        var nearestGreen = BruteForce.Nearest(points, [0f, 0f], 1, where: r => TestVectors.LabelOf(r) == "green").Single();
        Assert.Equal(page.Ids[nearestGreen.Row], Assert.Single(byPoint.Neighbors).Id);
    }

    [Fact]
    public async Task Neighbour_requests_are_validated_naming_the_field()
    {
        Task Search(SearchRequest request) => Neighbors.SearchAsync(request).ResponseAsync;
        var byId = new NeighborQuery { Id = TestVectors.Id(1) };

        await Expect(StatusCode.InvalidArgument, "k", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 0, Query = byId }));
        await Expect(StatusCode.InvalidArgument, "k", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 1001, Query = byId }));
        await Expect(StatusCode.InvalidArgument, "query", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3 }));
        await Expect(StatusCode.InvalidArgument, "query", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = new NeighborQuery() }));
        var dimensions = await Expect(StatusCode.InvalidArgument, "query.vector", () => Search(new SearchRequest
        {
            Collection = HostFixture.Points, K = 3, Query = new NeighborQuery { Vector = new Vector { Values = { 1, 2, 3 } } },
        }));
        Assert.Contains("3 values where 16", dimensions.Status.Detail);
        await Expect(StatusCode.InvalidArgument, "query.vector", () => Search(new SearchRequest
        {
            Collection = HostFixture.Points, K = 3, Query = new NeighborQuery { Vector = new Vector { Values = { Enumerable.Repeat(float.NaN, 16) } } },
        }));
        await Expect(StatusCode.NotFound, "query.id", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = new NeighborQuery { Id = "missing" } }));
        await Expect(StatusCode.NotFound, "collection", () => Search(new SearchRequest { Collection = "missing", K = 3, Query = byId }));
        await Expect(StatusCode.InvalidArgument, "collection", () => Search(new SearchRequest { K = 3, Query = byId }));
        await Expect(StatusCode.InvalidArgument, "labels[0]", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = byId, Labels = { "" } }));
        await Expect(StatusCode.InvalidArgument, "job_id", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = byId, JobId = "x" }));
        await Expect(StatusCode.InvalidArgument, "job_id", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = byId, Space = Space.Map }));
        await Expect(StatusCode.NotFound, "job_id", () => Search(new SearchRequest { Collection = HostFixture.Points, K = 3, Query = byId, Space = Space.Map, JobId = "missing" }));
        await Expect(StatusCode.InvalidArgument, "metric", () => Search(new SearchRequest
        {
            Collection = HostFixture.Points, K = 3, Query = byId, Space = Space.Map, JobId = "missing", Metric = Metric.Cosine,
        }));

        // A request over the gateway's message limit (1 MiB here) is refused before it is read.
        var oversized = await Assert.ThrowsAsync<RpcException>(() => Search(new SearchRequest
        {
            Collection = HostFixture.Points, K = 3, Query = new NeighborQuery { Vector = new Vector { Values = { new float[HostFixture.MaxMessageBytes / sizeof(float)] } } },
        }));
        Assert.Equal(StatusCode.ResourceExhausted, oversized.StatusCode);

        await Expect(StatusCode.InvalidArgument, "queries", () => Neighbors.SearchBatchAsync(new SearchBatchRequest { Collection = HostFixture.Points, K = 3 }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "queries", () => Neighbors.SearchBatchAsync(new SearchBatchRequest
        {
            Collection = HostFixture.Points, K = 3, Queries = { Enumerable.Repeat(byId, 1001) },
        }).ResponseAsync);
        await Expect(StatusCode.NotFound, "queries[1].id", () => Neighbors.SearchBatchAsync(new SearchBatchRequest
        {
            Collection = HostFixture.Points, K = 3, Queries = { byId, new NeighborQuery { Id = "missing" } },
        }).ResponseAsync);
    }

    /// <summary>Compares distances computed in float32 by the cluster with the double-precision reference.</summary>
}
