using Grpc.Core;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>Exact nearest neighbours, in a collection's embedding space or on a completed job's map.</summary>
public sealed class NeighborsService(IGrainFactory grains, IOptions<GatewaySettings> settings) : Neighbors.NeighborsBase
{
    public override async Task<SearchResponse> Search(SearchRequest request, ServerCallContext context)
    {
        if (request.Query is null) throw Problems.Invalid("query", "required: an id or a vector");
        var results = await Run(request.Collection, [request.Query], request.K, request.Space, request.JobId, request.Metric, request.Labels,
            _ => "query");
        return results[0];
    }

    public override async Task<SearchBatchResponse> SearchBatch(SearchBatchRequest request, ServerCallContext context)
    {
        var limit = settings.Value.MaxBatchQueries;
        if (request.Queries.Count == 0) throw Problems.Invalid("queries", "at least one query is required");
        if (request.Queries.Count > limit) throw Problems.Invalid("queries", $"{request.Queries.Count} queries; at most {limit}");
        var results = await Run(request.Collection, request.Queries, request.K, request.Space, request.JobId, request.Metric, request.Labels,
            q => $"queries[{q}]");
        return new SearchBatchResponse { Results = { results } };
    }

    private async Task<SearchResponse[]> Run(string collection, IReadOnlyList<NeighborQuery> queries, int k, Space space, string jobId,
        Metric metric, IReadOnlyList<string> labels, Func<int, string> field)
    {
        var name = Require.Name(collection, "collection");
        Require.Range(k, 1, settings.Value.MaxNeighbors, "k");
        var distance = metric switch
        {
            Metric.Unspecified or Metric.Euclidean => NeighborMetric.Euclidean,
            Metric.Cosine => NeighborMetric.Cosine,
            _ => throw Problems.Invalid("metric", $"{(int)metric} is not a metric"),
        };
        for (var i = 0; i < labels.Count; i++)
            if (string.IsNullOrEmpty(labels[i])) throw Problems.Invalid($"labels[{i}]", "must not be empty");
        var options = new NearestOptions(k, distance, [.. labels]);

        var info = await grains.GetGrain<ICollectionGrain>(name).GetInfo();
        if (!info.Exists) throw Problems.NotFound("collection", $"collection '{name}' does not exist");

        NearestMatch[][] matches;
        switch (space)
        {
            case Space.Unspecified or Space.Embedding:
                if (jobId.Length > 0) throw Problems.Invalid("job_id", "only a map search names a job (space SPACE_MAP)");
                matches = await grains.GetGrain<INeighborSearchGrain>(name).Search(await Resolve(name, queries, info.Dimensions, field), options);
                break;
            case Space.Map:
                var job = Require.Name(jobId, "job_id");
                if (distance != NeighborMetric.Euclidean) throw Problems.Invalid("metric", "a map is searched by Euclidean distance");
                matches = await grains.GetGrain<IJobMapGrain>(job).Search(name, [.. queries.Select((q, i) => Convert(q, 0, field(i)))], options);
                break;
            default:
                throw Problems.Invalid("space", $"{(int)space} is not a space");
        }
        return [.. matches.Select(list => new SearchResponse
        {
            Neighbors = { list.Select(m => new Neighbor { Id = m.Id, Distance = m.Distance, Labels = { m.Labels } }) },
        })];
    }

    /// <summary>Checks each query of an embedding-space search, so that errors name the query: unknown ids, wrong dimensions, NaN.</summary>
    private async Task<NearestQuery[]> Resolve(string collection, IReadOnlyList<NeighborQuery> queries, int dimensions, Func<int, string> field)
    {
        var resolved = queries.Select((q, i) => Convert(q, dimensions, field(i))).ToArray();
        var known = await Task.WhenAll(resolved.Select(q => q.Id is { } id
            ? grains.GetGrain<IImageGrain>($"{collection}/{id}").Exists()
            : Task.FromResult(true)));
        for (var i = 0; i < resolved.Length; i++)
            if (!known[i]) throw Problems.NotFound($"{field(i)}.id", $"image '{resolved[i].Id}' is not in collection '{collection}'");
        return resolved;
    }

    private static NearestQuery Convert(NeighborQuery query, int dimensions, string field) => query.QueryCase switch
    {
        NeighborQuery.QueryOneofCase.Id => NearestQuery.OfId(Require.Id(query.Id, $"{field}.id")),
        NeighborQuery.QueryOneofCase.Vector => Require.VectorProblem(query.Vector.Values, dimensions) is { } problem
            ? throw Problems.Invalid($"{field}.vector", problem + (dimensions > 0 && query.Vector.Values.Count != dimensions ? " (the collection's dimensions)" : ""))
            : NearestQuery.OfVector([.. query.Vector.Values]),
        _ => throw Problems.Invalid(field, "an id or a vector is required"),
    };
}
