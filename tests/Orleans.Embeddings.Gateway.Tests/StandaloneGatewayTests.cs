using Grpc.Core;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Services;
using Orleans.Embeddings.Gateway.Tests.Support;
using Orleans.Embeddings.ProcessCluster;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>The standalone gateway process joined to a cluster of a silo process through a real redis-server.</summary>
public sealed class StandaloneGatewayTests
{
    [Fact]
    public async Task The_standalone_gateway_serves_the_same_api_as_a_client_of_the_cluster()
    {
        await using var redis = await RedisServer.Start();
        const string clusterId = "standalone-gateway";
        // The gateway starts first, as containers may: it answers health checks with NOT_SERVING until a silo is up.
        await using var gateway = StandaloneGatewayProcess.Start(redis, clusterId);
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var clients = new GatewayClients(channel);
        Assert.Equal(ServingStatus.NotServing, await clients.WaitForHealth(_ => true, TimeSpan.FromSeconds(60)));

        await using var silo = SiloProcess.Start(redis, clusterId);
        try
        {
            await clients.WaitForHealth(s => s == ServingStatus.Serving, TimeSpan.FromSeconds(90));
            await RunScenario(clients);
            await ServesTheDashboard(gateway.WebAddress);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\ngateway:\n{gateway.RecentOutput}\nsilo:\n{silo.RecentOutput}", e);
        }
    }

    /// <summary>Operators watch the cluster through the gateway: its dashboard reads the silos' statistics.</summary>
    private static async Task ServesTheDashboard(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        using var page = await http.GetAsync("/dashboard/");
        Assert.True(page.IsSuccessStatusCode, $"/dashboard/ answered {(int)page.StatusCode}");
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var version = await http.GetAsync("/dashboard/version");
        Assert.True(version.IsSuccessStatusCode, $"/dashboard/version answered {(int)version.StatusCode}");
        Assert.StartsWith("application/json", version.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Every service once, through the gateway process.</summary>
    private static async Task RunScenario(GatewayClients clients)
    {
        const int count = 300;
        var vectors = TestVectors.Generate(count, seed: 11);
        await clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "remote", Provider = "vectors", Dimensions = TestVectors.Dimensions });
        var ingested = await clients.Ingest("remote", vectors.Select(TestVectors.Item));
        Assert.Equal((count, count), (ingested.Accepted, ingested.Added));
        Assert.Contains((await clients.Collections.ListCollectionsAsync(new ListCollectionsRequest())).Collections, c => c.Name == "remote" && c.Size == count);
        var image = await clients.Collections.GetImageAsync(new GetImageRequest { Collection = "remote", Id = TestVectors.Id(9), IncludeEmbedding = true });
        Assert.Equal(vectors[9], image.Embedding.Values);

        var neighbors = await clients.Neighbors.SearchAsync(new SearchRequest { Collection = "remote", K = 5, Query = new NeighborQuery { Id = TestVectors.Id(9) } });
        Assert.Equal(BruteForce.Nearest(vectors, vectors[9], 5, exclude: 9).Select(e => TestVectors.Id(e.Row)), neighbors.Neighbors.Select(n => n.Id));

        await clients.Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = "remote",
            JobId = "remote-map",
            Partitions = 2,
            Parameters = new JobParameters { Perplexity = 10, EarlyExaggerationIterations = 100, Iterations = 100 },
        });
        using var watch = clients.Jobs.WatchJob(new WatchJobRequest { JobId = "remote-map", IntervalMs = 100 });
        var progress = await watch.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(JobState.Completed, progress[^1].Job.State);

        var result = await clients.Jobs.GetResultAsync(new GetResultRequest { JobId = "remote-map" });
        Assert.Equal((count, 2), (result.Total, result.Dimensions));
        Assert.Equal(Enumerable.Range(0, count).Select(TestVectors.Id), result.Ids);
        var onMap = await clients.Neighbors.SearchAsync(new SearchRequest
        {
            Collection = "remote", Space = Space.Map, JobId = "remote-map", K = 3, Query = new NeighborQuery { Id = TestVectors.Id(0) },
        });
        Assert.Equal(3, onMap.Neighbors.Count);
        Assert.Contains((await clients.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs, j => j.JobId == "remote-map" && j.Collection == "remote");

        using var export = clients.Export.ExportJob(new ExportRequest { JobId = "remote-map" });
        var files = (await export.ResponseStream.ReadAllAsync().ToListAsync()).Where(c => c.Last).Select(c => c.File);
        Assert.Equal([ExportService.TensorsFile, ExportService.MetadataFile, ExportService.MapFile], files);
    }
}
