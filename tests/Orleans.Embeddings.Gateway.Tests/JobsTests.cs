using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;
using static Orleans.Embeddings.Gateway.Tests.CollectionsTests;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class JobsTests(HostFixture host)
{
    private Jobs.JobsClient Jobs => host.Clients.Jobs;

    [Fact]
    public async Task A_watch_sees_the_iterations_advance_with_maps_until_the_job_completes()
    {
        var started = await Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = HostFixture.Points,
            JobId = "watched",
            Partitions = 2,
            // Long enough (a few seconds) for a watch polling every 50 ms to see many iterations.
            Parameters = new JobParameters { Perplexity = 10, EarlyExaggerationIterations = 250, Iterations = 4750, KlEvery = 100, Seed = 3 },
        });
        Assert.Equal(("watched", HostFixture.Points, JobState.Running, 5000), (started.JobId, started.Collection, started.State, started.TotalIterations));

        using var call = Jobs.WatchJob(new WatchJobRequest { JobId = "watched", MapEvery = 500, IntervalMs = 50 });
        var messages = await call.ResponseStream.ReadAllAsync().ToListAsync();

        var last = messages[^1];
        Assert.Equal(JobState.Completed, last.Job.State);
        Assert.Equal(5000, last.Job.Iteration);
        Assert.True(last.Job.HasKlDivergence && last.Job.KlDivergence > 0);
        Assert.Equal(HostFixture.PointCount * 2, last.Map.Coordinates.Count);
        Assert.Equal((5000, 2), (last.Map.Iteration, last.Map.Dimensions));
        Assert.All(messages[..^1], m => Assert.Equal(JobState.Running, m.Job.State));

        var iterations = messages.Where(m => m.Job.State == JobState.Running && m.Job.Iteration > 0).Select(m => m.Job.Iteration).ToArray();
        Assert.True(iterations.Distinct().Count() >= 5, $"The watch saw iterations {string.Join(", ", iterations)}.");
        Assert.Equal(iterations.Order(), iterations);
        var maps = messages.Where(m => m.Map is not null && m.Job.State == JobState.Running).Select(m => m.Map).ToArray();
        Assert.NotEmpty(maps);
        Assert.All(maps, map => Assert.Equal(HostFixture.PointCount * 2, map.Coordinates.Count));
        Assert.Equal(maps.Select(m => m.Iteration).Order(), maps.Select(m => m.Iteration));
        Assert.Contains(messages, m => m.HasSecondsLeft && m.SecondsLeft >= 0);

        // Watching a finished job gives its final state at once.
        using var again = Jobs.WatchJob(new WatchJobRequest { JobId = "watched" });
        var final = Assert.Single(await again.ResponseStream.ReadAllAsync().ToListAsync());
        Assert.Equal(JobState.Completed, final.Job.State);
        Assert.Null(final.Map);
    }

    [Fact]
    public async Task A_completed_map_reads_the_same_paged_and_streamed_and_the_job_is_listed()
    {
        var job = await host.CompletedJob();
        var first = await Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId, Limit = 128 });
        Assert.Equal((HostFixture.PointCount, 2, 0, 128), (first.Total, first.Dimensions, first.Offset, first.Ids.Count));
        var pages = new List<ResultPage> { first };
        while (pages.Sum(p => p.Ids.Count) < first.Total)
            pages.Add(await Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId, Offset = pages.Sum(p => p.Ids.Count), Limit = 128 }));
        Assert.Equal([128, 128, 44], pages.Select(p => p.Ids.Count));

        using var call = Jobs.StreamResult(new StreamResultRequest { JobId = job.JobId, PageSize = 100 });
        var streamed = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal([0, 100, 200], streamed.Select(p => p.Offset));
        Assert.Equal(pages.SelectMany(p => p.Ids), streamed.SelectMany(p => p.Ids));
        Assert.Equal(pages.SelectMany(p => p.Coordinates), streamed.SelectMany(p => p.Coordinates));
        Assert.Equal(Enumerable.Range(0, HostFixture.PointCount).Select(TestVectors.Id), streamed.SelectMany(p => p.Ids));
        Assert.All(streamed.SelectMany(p => p.Coordinates), c => Assert.True(float.IsFinite(c)));
        Assert.Equal(job.KlDivergence, first.KlDivergence, 6);

        var listed = (await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs.Single(j => j.JobId == job.JobId);
        Assert.Equal((HostFixture.Points, JobState.Completed, HostFixture.PointCount, 250), (listed.Collection, listed.State, listed.Points, listed.TotalIterations));
        var read = await Jobs.GetJobAsync(new GetJobRequest { JobId = job.JobId });
        Assert.Equal((JobState.Completed, 250, "completed"), (read.State, read.Iteration, read.Phase));

        // Starting the same job again reports it; the same id with other settings is refused.
        var same = await Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = HostFixture.Points,
            JobId = job.JobId,
            Partitions = 2,
            Parameters = new JobParameters { Perplexity = 10, EarlyExaggerationIterations = 100, Iterations = 150 },
        });
        Assert.Equal(JobState.Completed, same.State);
        await Expect(StatusCode.AlreadyExists, "job_id", () => Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = HostFixture.Points,
            JobId = job.JobId,
            Parameters = new JobParameters { Perplexity = 12 },
        }).ResponseAsync);
        await Expect(StatusCode.FailedPrecondition, "job_id", () => Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.JobId }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "offset", () => Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId, Offset = 301 }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "limit", () => Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId, Limit = 100_001 }).ResponseAsync);
    }

    [Fact]
    public async Task Cancel_stops_a_running_job()
    {
        await host.Clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "busy", Provider = "vectors" });
        await host.Clients.Ingest("busy", host.Vectors.Select(TestVectors.Item));
        var started = await Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = "busy",
            JobId = "long",
            Partitions = 1,
            Parameters = new JobParameters { Perplexity = 10, EarlyExaggerationIterations = 250, Iterations = 1_000_000 },
        });
        Assert.Equal(JobState.Running, started.State);
        await host.Clients.WaitForJob("long", TimeSpan.FromMinutes(1), j => j.Iteration > 5);

        await Expect(StatusCode.FailedPrecondition, "name", () => host.Clients.Collections.DeleteCollectionAsync(new DeleteCollectionRequest { Name = "busy" }).ResponseAsync);
        await Expect(StatusCode.FailedPrecondition, "job_id", () => Jobs.GetResultAsync(new GetResultRequest { JobId = "long" }).ResponseAsync);
        await Expect(StatusCode.FailedPrecondition, "job_id", () => host.Clients.Neighbors.SearchAsync(new SearchRequest
        {
            Collection = "busy", Space = Space.Map, JobId = "long", K = 3, Query = new NeighborQuery { Id = TestVectors.Id(0) },
        }).ResponseAsync);

        var cancelled = await Jobs.CancelJobAsync(new CancelJobRequest { JobId = "long" });
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.InRange(cancelled.Iteration, 6, 1_000_249);
        Assert.Equal(JobState.Cancelled, (await Jobs.GetJobAsync(new GetJobRequest { JobId = "long" })).State);
        await Expect(StatusCode.FailedPrecondition, "job_id", () => Jobs.CancelJobAsync(new CancelJobRequest { JobId = "long" }).ResponseAsync);
        await Expect(StatusCode.FailedPrecondition, "job_id", () => Jobs.GetResultAsync(new GetResultRequest { JobId = "long" }).ResponseAsync);
        using var watch = Jobs.WatchJob(new WatchJobRequest { JobId = "long" });
        Assert.Equal(JobState.Cancelled, Assert.Single(await watch.ResponseStream.ReadAllAsync().ToListAsync()).Job.State);

        // With its job stopped, the collection may go.
        Assert.Equal(HostFixture.PointCount, (await host.Clients.Collections.DeleteCollectionAsync(new DeleteCollectionRequest { Name = "busy" })).DeletedImages);
    }

    [Fact]
    public async Task Job_requests_are_validated_naming_the_field()
    {
        Task Start(JobParameters parameters, string collection = HostFixture.Points, string jobId = "", int partitions = 0) =>
            Jobs.StartJobAsync(new StartJobRequest { Collection = collection, JobId = jobId, Parameters = parameters, Partitions = partitions }).ResponseAsync;

        var perplexity = await Expect(StatusCode.InvalidArgument, "parameters.perplexity", () => Start(new JobParameters { Perplexity = 500 }));
        Assert.Contains("too large for 300 points", perplexity.Status.Detail);
        await Expect(StatusCode.InvalidArgument, "parameters.perplexity", () => Start(new JobParameters { Perplexity = -1 }));
        await Expect(StatusCode.InvalidArgument, "parameters.output_dimensions", () => Start(new JobParameters { OutputDimensions = 4 }));
        await Expect(StatusCode.InvalidArgument, "parameters.momentum", () => Start(new JobParameters { Momentum = 1.5 }));
        await Expect(StatusCode.InvalidArgument, "parameters.early_exaggeration_iterations", () => Start(new JobParameters { EarlyExaggerationIterations = -1 }));
        await Expect(StatusCode.InvalidArgument, "parameters.learning_rate", () => Start(new JobParameters { LearningRate = 0 }));
        await Expect(StatusCode.InvalidArgument, "parameters.min_gain", () => Start(new JobParameters { MinGain = 2 }));
        await Expect(StatusCode.InvalidArgument, "parameters.repulsion", () => Start(new JobParameters { OutputDimensions = 3, Repulsion = RepulsionMethod.Fft }));
        await Expect(StatusCode.InvalidArgument, "parameters.metric", () => Start(new JobParameters { Metric = (InputMetric)9 }));
        await Expect(StatusCode.InvalidArgument, "partitions", () => Start(new JobParameters(), partitions: -1));
        await Expect(StatusCode.InvalidArgument, "job_id", () => Start(new JobParameters(), jobId: "no/slashes"));
        await Expect(StatusCode.InvalidArgument, "collection", () => Start(new JobParameters(), collection: ""));
        await Expect(StatusCode.NotFound, "collection", () => Start(new JobParameters(), collection: "missing"));

        await host.Clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "lonely", Provider = "vectors" });
        await host.Clients.Ingest("lonely", [new IngestItem { Id = "only", Vector = new Vector { Values = { 1, 2 } } }]);
        await Expect(StatusCode.FailedPrecondition, "collection", () => Start(new JobParameters(), collection: "lonely"));

        await Expect(StatusCode.NotFound, "job_id", () => Jobs.GetJobAsync(new GetJobRequest { JobId = "missing" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "job_id", () => Jobs.CancelJobAsync(new CancelJobRequest { JobId = "missing" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "job_id", () => Jobs.GetResultAsync(new GetResultRequest { JobId = "missing" }).ResponseAsync);
        using var watch = Jobs.WatchJob(new WatchJobRequest { JobId = "missing" });
        await Expect(StatusCode.NotFound, "job_id", () => watch.ResponseStream.MoveNext());
        using var badInterval = Jobs.WatchJob(new WatchJobRequest { JobId = "watched", IntervalMs = 10 });
        await Expect(StatusCode.InvalidArgument, "interval_ms", () => badInterval.ResponseStream.MoveNext());
        using var badMaps = Jobs.WatchJob(new WatchJobRequest { JobId = "watched", MapEvery = -1 });
        await Expect(StatusCode.InvalidArgument, "map_every", () => badMaps.ResponseStream.MoveNext());

        Assert.DoesNotContain((await Jobs.ListJobsAsync(new ListJobsRequest())).Jobs, j => j.Collection is "missing" or "lonely");
    }
}
