using System.Buffers.Binary;
using System.Globalization;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;
using Orleans.Embeddings.Gateway.Services;

namespace Orleans.Embeddings.Silo.MapPage;

/// <summary>
/// The JSON (and one binary) endpoints behind the map page, under <see cref="Prefix"/>. They call the gateway's
/// own services in process, so a page sees what a gRPC client sees, and read the live map from the job's grain:
/// <list type="bullet">
/// <item><c>GET jobs</c>: every job (<see cref="MapJobList"/>).</item>
/// <item><c>GET jobs/{job}/points</c>: the ids and labels of the job's points (<see cref="MapPointSet"/>).</item>
/// <item><c>GET jobs/{job}/map?after=I</c>: the map as little-endian float32, points x dimensions, when there is
/// one newer than iteration I (else 204); headers <c>x-map-iteration</c>, <c>x-map-dimensions</c>,
/// <c>x-job-state</c>, <c>x-job-iteration</c> and <c>x-job-total</c> say where the job stands.</item>
/// <item><c>GET thumbnail?collection=C&amp;id=ID</c>: the image's thumbnail (PNG), or 204 when it has none.</item>
/// <item><c>GET neighbors?collection=C&amp;id=ID&amp;job=J&amp;k=K</c>: the image's nearest neighbours
/// (<see cref="MapNeighbors"/>).</item>
/// </list>
/// Errors are the gateway's status as an HTTP status, with <see cref="MapProblem"/> as the body.
/// </summary>
public static class MapApi
{
    public const string Prefix = "/api/map";

    public const int DefaultNeighbors = 10;

    public const int MaxNeighbors = 100;

    public static RouteGroupBuilder MapMapApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Prefix);
        api.MapGet("/jobs", ListJobs);
        api.MapGet("/jobs/{job}/points", Points);
        api.MapGet("/jobs/{job}/map", Map);
        api.MapGet("/thumbnail", Thumbnail);
        api.MapGet("/neighbors", Neighbors);
        return api;
    }

    private static Task<IResult> ListJobs(IServiceProvider services, CancellationToken cancellation) => Answer(async () =>
    {
        var list = await Service<JobsService>(services).ListJobs(new ListJobsRequest(), Context("ListJobs", cancellation));
        return Results.Json(new MapJobList([.. list.Jobs.OrderBy(j => j.JobId, StringComparer.Ordinal).Select(ToPage)]));
    });

    private static Task<IResult> Points(string job, IServiceProvider services, IGrainFactory grains, CancellationToken cancellation) => Answer(async () =>
    {
        var status = await Service<JobsService>(services).GetJob(new GetJobRequest { JobId = job }, Context("GetJob", cancellation));
        if (status.Collection.Length == 0)
            throw Problems.Precondition("job", $"job '{job}' was not started through a gateway, so its collection is not recorded");
        var info = await grains.GetGrain<ICollectionGrain>(status.Collection).GetInfo();
        if (!info.Exists) throw Problems.NotFound("job", $"collection '{status.Collection}' of job '{job}' no longer exists");
        // Before the job has read its input it does not know its size; its points will be the collection's members.
        var count = status.Points > 0 ? status.Points : info.Count;
        var ids = new List<string>(count);
        var labels = new List<string?>(count);
        for (var shard = 0; ids.Count < count && shard < info.MembershipShards; shard++)
        {
            // Membership shards are keyed "collection/shard" (ICollectionShardGrain); their order is the point order.
            var grain = grains.GetGrain<ICollectionShardGrain>($"{status.Collection}/{shard}");
            var shardIds = await grain.GetIds();
            var shardLabels = await grain.GetLabels();
            var take = Math.Min(shardIds.Length, count - ids.Count);
            ids.AddRange(shardIds.Take(take));
            labels.AddRange(shardLabels.Take(take).Select(l => l.Length > 0 ? l[0] : null));
        }
        var names = labels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        return Results.Json(new MapPointSet(job, status.Collection, ids.Count, ids, [.. labels.Select(l => l is null ? -1 : index[l])], names));
    });

    private static Task<IResult> Map(string job, int? after, HttpResponse response, IServiceProvider services, IGrainFactory grains,
        CancellationToken cancellation) => Answer(async () =>
    {
        var status = await Service<JobsService>(services).GetJob(new GetJobRequest { JobId = job }, Context("GetJob", cancellation));
        response.Headers["x-job-state"] = status.State.ToPage();
        response.Headers["x-job-iteration"] = status.Iteration.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-job-total"] = status.TotalIterations.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";

        int iteration, dimensions;
        byte[] coordinates;
        if (status.State == JobState.Completed)
        {
            // The final map is the result, after the last step; the running snapshots are taken before each step.
            var page = await grains.GetGrain<IJobMapGrain>(job).GetPage(0, int.MaxValue);
            (iteration, dimensions, coordinates) = (status.TotalIterations, page.Dimensions, page.CoordinateBytes);
        }
        else if (await grains.GetGrain<ITsneJobGrain>(job).GetCurrentMap() is { } snapshot)
        {
            (iteration, dimensions, coordinates) = (snapshot.Iteration, snapshot.Dimensions, snapshot.CoordinateBytes);
        }
        else
        {
            return Results.NoContent();
        }
        if (after is { } seen && iteration <= seen) return Results.NoContent();
        response.Headers["x-map-iteration"] = iteration.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-map-dimensions"] = dimensions.ToString(CultureInfo.InvariantCulture);
        return Results.Bytes(LittleEndian(coordinates), "application/octet-stream");
    });

    private static Task<IResult> Thumbnail(string collection, string id, HttpResponse response, IServiceProvider services,
        CancellationToken cancellation) => Answer(async () =>
    {
        var image = await Service<CollectionsService>(services).GetImage(
            new GetImageRequest { Collection = collection, Id = id, IncludeThumbnail = true }, Context("GetImage", cancellation));
        // A thumbnail changes only when its image is ingested again with another source.
        response.Headers.CacheControl = "private, max-age=300";
        return image.Thumbnail.IsEmpty ? Results.NoContent() : Results.Bytes(image.Thumbnail.ToByteArray(), "image/png");
    });

    private static Task<IResult> Neighbors(string collection, string id, string? job, int? k, IServiceProvider services,
        CancellationToken cancellation) => Answer(async () =>
    {
        var count = k ?? DefaultNeighbors;
        if (count is < 1 or > MaxNeighbors) throw Problems.Invalid("k", $"{count} is outside 1 to {MaxNeighbors}");
        var search = Service<NeighborsService>(services);
        var query = new NeighborQuery { Id = id };
        var embedding = await search.Search(new SearchRequest { Collection = collection, Query = query, K = count, Space = Space.Embedding },
            Context("Search", cancellation));
        IReadOnlyList<MapNeighbor>? map = null;
        string? mapError = null;
        if (string.IsNullOrEmpty(job))
        {
            mapError = "no job given";
        }
        else
        {
            try
            {
                map = ToPage(await search.Search(new SearchRequest { Collection = collection, Query = query, K = count, Space = Space.Map, JobId = job },
                    Context("Search", cancellation)));
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                // A running job has no searchable map yet; the embedding's neighbours still stand.
                mapError = e.Status.Detail;
            }
        }
        return Results.Json(new MapNeighbors(id, ToPage(embedding), map, mapError));
    });

    /// <summary>The handler's answer, or the gateway's error as an HTTP status with the one-line message.</summary>
    private static async Task<IResult> Answer(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (Exception e)
        {
            var (code, message) = e is RpcException rpc ? (rpc.StatusCode, rpc.Status.Detail) : GrainErrorInterceptor.Classify(e);
            return Results.Json(new MapProblem(message), statusCode: HttpStatus(code));
        }
    }

    private static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.FailedPrecondition or StatusCode.AlreadyExists => StatusCodes.Status409Conflict,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => StatusCodes.Status503ServiceUnavailable,
        StatusCode.Cancelled => 499,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A gateway service as gRPC would make it for one call, with its dependencies from the host.</summary>
    private static T Service<T>(IServiceProvider services) => ActivatorUtilities.CreateInstance<T>(services);

    private static InProcessCallContext Context(string method, CancellationToken cancellation) => new($"/map-page/{method}", cancellation);

    /// <summary>The grains hold floats little-endian, which is what the page reads; only a big-endian host must swap.</summary>
    private static byte[] LittleEndian(byte[] floats)
    {
        if (BitConverter.IsLittleEndian) return floats;
        var swapped = new byte[floats.Length];
        for (var at = 0; at + 4 <= floats.Length; at += 4)
            BinaryPrimitives.WriteInt32LittleEndian(swapped.AsSpan(at), BinaryPrimitives.ReadInt32BigEndian(floats.AsSpan(at)));
        return swapped;
    }

    private static MapJob ToPage(Job job) => new(job.JobId, job.Collection, job.State.ToPage(), job.Phase, job.Iteration, job.TotalIterations,
        job.Points, job.HasKlDivergence ? job.KlDivergence : null, job.Error);

    private static string ToPage(this JobState state) => state switch
    {
        JobState.Running => "running",
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => "unknown",
    };

    private static MapNeighbor[] ToPage(SearchResponse response) =>
        [.. response.Neighbors.Select(n => new MapNeighbor(n.Id, n.Distance, [.. n.Labels]))];
}
