using System.Globalization;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;
using Orleans.Embeddings.Gateway.Mapping;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>t-SNE jobs: start, watch, read the result, list, cancel.</summary>
public sealed class JobsService(IGrainFactory grains, TimeProvider time) : Jobs.JobsBase
{
    public const int DefaultPageSize = 10_000;

    public const int MaxPageSize = 100_000;

    private const int DefaultCheckpointEvery = 25;

    private static readonly TimeSpan DefaultWatchInterval = TimeSpan.FromMilliseconds(250);

    private ITsneJobRegistryGrain Registry => grains.GetGrain<ITsneJobRegistryGrain>(0);

    public override async Task<Job> StartJob(StartJobRequest request, ServerCallContext context)
    {
        var collection = Require.Name(request.Collection, "collection");
        var jobId = request.JobId.Length == 0 ? NewJobId(collection) : Require.Name(request.JobId, "job_id");
        if (request.CheckpointEvery < 0) throw Problems.Invalid("checkpoint_every", $"{request.CheckpointEvery} must be positive, or 0 for {DefaultCheckpointEvery}");
        var spec = new TsneJobSpec(collection, request.Parameters.ToGrain(), request.Partitions,
            request.CheckpointEvery == 0 ? DefaultCheckpointEvery : request.CheckpointEvery);

        var job = grains.GetGrain<ITsneJobGrain>(jobId);
        var existing = await job.GetStatus();
        if (existing.State == TsneJobState.None)
            await grains.GetGrain<ITsneJobValidationGrain>(0).Validate(spec);
        TsneJobStatus status;
        try
        {
            status = await job.Start(spec);
        }
        catch (InvalidOperationException) when (existing.State != TsneJobState.None)
        {
            throw Problems.Exists("job_id", $"job '{jobId}' exists with other settings; choose another job id");
        }
        await Registry.SetCollection(jobId, collection);
        return status.ToWire(collection);
    }

    public override async Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        return (await RequireJob(jobId)).ToWire(await CollectionOf(jobId));
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var ids = await Registry.GetAll();
        var collections = await Registry.GetCollections();
        var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<ITsneJobGrain>(id).GetStatus()));
        return new ListJobsResponse { Jobs = { statuses.Select(s => s.ToWire(collections.GetValueOrDefault(s.JobId))) } };
    }

    public override async Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        var status = await RequireJob(jobId);
        if (status.State != TsneJobState.Running)
            throw Problems.Precondition("job_id", $"job '{jobId}' is {status.State.ToString().ToLowerInvariant()}, not running");
        var job = grains.GetGrain<ITsneJobGrain>(jobId);
        await job.Cancel();
        return (await job.GetStatus()).ToWire(await CollectionOf(jobId));
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobProgress> responseStream, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        if (request.MapEvery < 0) throw Problems.Invalid("map_every", $"{request.MapEvery} must not be negative (0: no maps)");
        if (request.IntervalMs != 0) Require.Range(request.IntervalMs, 50, 60_000, "interval_ms");
        var interval = request.IntervalMs == 0 ? DefaultWatchInterval : TimeSpan.FromMilliseconds(request.IntervalMs);
        var status = await RequireJob(jobId);
        var collection = await CollectionOf(jobId);
        var job = grains.GetGrain<ITsneJobGrain>(jobId);
        var pace = new IterationPace();
        TsneJobStatus? sent = null;
        var mapSent = int.MinValue;
        var cancellation = context.CancellationToken;
        while (true)
        {
            pace.Observe(status);
            if (sent is null || Changed(sent, status))
            {
                var progress = new JobProgress { Job = status.ToWire(collection) };
                if (pace.SecondsLeft(status) is { } left) progress.SecondsLeft = left;
                if (request.MapEvery > 0 && await MapFor(job, status, mapSent, request.MapEvery) is { } map)
                {
                    progress.Map = map;
                    mapSent = map.Iteration;
                }
                await responseStream.WriteAsync(progress, cancellation);
                sent = status;
            }
            if (status.State.IsFinished()) return;
            await Task.Delay(interval, time, cancellation);
            status = await job.GetStatus();
        }
    }

    public override async Task<ResultPage> GetResult(GetResultRequest request, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        if (request.Offset < 0) throw Problems.Invalid("offset", $"{request.Offset} must not be negative");
        var limit = PageSize(request.Limit, "limit");
        return ToWire(await grains.GetGrain<IJobMapGrain>(jobId).GetPage(request.Offset, limit));
    }

    public override async Task StreamResult(StreamResultRequest request, IServerStreamWriter<ResultPage> responseStream, ServerCallContext context)
    {
        var jobId = Require.Name(request.JobId, "job_id");
        var size = PageSize(request.PageSize, "page_size");
        var map = grains.GetGrain<IJobMapGrain>(jobId);
        var offset = 0;
        while (true)
        {
            var page = await map.GetPage(offset, size);
            await responseStream.WriteAsync(ToWire(page), context.CancellationToken);
            offset += page.Ids.Length;
            if (offset >= page.Total || page.Ids.Length == 0) return;
        }
    }

    private async Task<MapSnapshot?> MapFor(ITsneJobGrain job, TsneJobStatus status, int lastSent, int every)
    {
        if (status.State == TsneJobState.Completed)
        {
            // The final map is the result, after the last step (the running snapshot is taken before each step).
            var page = await grains.GetGrain<IJobMapGrain>(status.JobId).GetPage(0, int.MaxValue);
            return new MapSnapshot { Iteration = status.TotalIterations, Dimensions = page.Dimensions, Coordinates = { page.Coordinates.ToArray() } };
        }
        if (status.State != TsneJobState.Running) return null;
        if (await job.GetCurrentMap() is not { } snapshot) return null;
        if (lastSent != int.MinValue && snapshot.Iteration - lastSent < every) return null;
        return new MapSnapshot { Iteration = snapshot.Iteration, Dimensions = snapshot.Dimensions, Coordinates = { snapshot.Coordinates.ToArray() } };
    }

    private static bool Changed(TsneJobStatus before, TsneJobStatus now) =>
        before.State != now.State || before.Phase != now.Phase || before.Iteration != now.Iteration || before.KlDivergence != now.KlDivergence;

    private static int PageSize(int requested, string field)
    {
        if (requested == 0) return DefaultPageSize;
        Require.Range(requested, 1, MaxPageSize, field);
        return requested;
    }

    private async Task<TsneJobStatus> RequireJob(string jobId)
    {
        var status = await grains.GetGrain<ITsneJobGrain>(jobId).GetStatus();
        return status.State == TsneJobState.None ? throw Problems.NotFound("job_id", $"job '{jobId}' does not exist") : status;
    }

    private async Task<string?> CollectionOf(string jobId) => (await Registry.GetCollections()).GetValueOrDefault(jobId);

    private string NewJobId(string collection)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var suffix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 3));
        var prefix = collection.Length > Require.MaxNameLength - 24 ? collection[..(Require.MaxNameLength - 24)] : collection;
        return $"{prefix}-{stamp}-{suffix}";
    }

    internal static ResultPage ToWire(TsneMapPage page) => new()
    {
        JobId = page.JobId,
        Dimensions = page.Dimensions,
        Total = page.Total,
        Offset = page.Offset,
        Ids = { page.Ids },
        Coordinates = { page.Coordinates.ToArray() },
        KlDivergence = page.KlDivergence,
    };

    /// <summary>
    /// Iterations per second of the job's clock since the watch first saw it iterate, which gives the time left.
    /// A job that resumed after a failure starts a new measurement.
    /// </summary>
    private sealed class IterationPace
    {
        private (int Iteration, double Seconds)? start;
        private (int Iteration, double Seconds) last;

        public void Observe(TsneJobStatus status)
        {
            if (status.State != TsneJobState.Running || status.Iteration <= 0) return;
            if (start is null || status.Iteration < last.Iteration) start = (status.Iteration, status.ElapsedSeconds);
            last = (status.Iteration, status.ElapsedSeconds);
        }

        public double? SecondsLeft(TsneJobStatus status)
        {
            if (status.State != TsneJobState.Running || start is not { } first) return null;
            var iterations = last.Iteration - first.Iteration;
            var seconds = last.Seconds - first.Seconds;
            if (iterations <= 0 || seconds <= 0) return null;
            return Math.Max(0, (status.TotalIterations - status.Iteration) * seconds / iterations);
        }
    }
}
