using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>
/// Nearest neighbours in a collection's embedding space (the approximate index, or brute force with exact) or on a
/// completed job's map, label suggestions, the trust of a map, and the index itself.
/// </summary>
public sealed class NeighborsService(IGrainFactory grains, IOptions<GatewaySettings> settings) : Neighbors.NeighborsBase
{
    /// <summary>The widest search a request may ask for.</summary>
    public const int MaxEf = 10_000;

    /// <summary>Neighbours a label suggestion rests on unless told (what Clarifai uses).</summary>
    public const int DefaultSuggestionK = 20;

    /// <summary>Neighbours a trust value compares unless told.</summary>
    public const int DefaultTrustK = 10;

    /// <summary>Most images one trust page returns.</summary>
    public const int MaxTrustPage = 10_000;

    public override async Task<SearchResponse> Search(SearchRequest request, ServerCallContext context)
    {
        if (request.Query is null) throw Problems.Invalid("query", "required: an id or a vector");
        var results = await Run(request.Collection, [request.Query], request.K, request.Space, request.JobId, request.Metric, request.Labels,
            request.HasEf ? request.Ef : null, request.Exact, _ => "query");
        return results[0];
    }

    public override async Task<SearchBatchResponse> SearchBatch(SearchBatchRequest request, ServerCallContext context)
    {
        CheckBatch(request.Queries.Count, "queries");
        var results = await Run(request.Collection, request.Queries, request.K, request.Space, request.JobId, request.Metric, request.Labels,
            request.HasEf ? request.Ef : null, request.Exact, q => $"queries[{q}]");
        return new SearchBatchResponse { Results = { results } };
    }

    public override async Task<SuggestLabelsResponse> SuggestLabels(SuggestLabelsRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Collection, "collection");
        CheckBatch(request.Queries.Count, "queries");
        var k = request.K == 0 ? DefaultSuggestionK : request.K;
        var options = Options(k, request.Metric, [], request.HasEf ? request.Ef : null, request.Exact);
        var info = await RequireCollection(name);
        var queries = await Resolve(name, request.Queries, info.Dimensions, q => $"queries[{q}]");
        var suggestions = await grains.GetGrain<INeighborSearchGrain>(name).SuggestLabels(queries, options);
        return new SuggestLabelsResponse
        {
            Results =
            {
                suggestions.Select(s => new LabelSuggestions
                {
                    Neighbors = s.Neighbors,
                    Labels = { s.Labels.Select(l => new Api.V1.LabelShare { Label = l.Label, Count = l.Count, Share = l.Share }) },
                }),
            },
        };
    }

    public override async Task<GetTrustResponse> GetTrust(GetTrustRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Collection, "collection");
        var job = Require.Name(request.JobId, "job_id");
        var k = request.K == 0 ? DefaultTrustK : request.K;
        var options = Options(k, request.Metric, [], request.HasEf ? request.Ef : null, exact: false);
        if (request.Offset < 0) throw Problems.Invalid("offset", $"{request.Offset} must not be negative");
        Require.Range(request.Limit, 0, MaxTrustPage, "limit");
        CheckBatch(request.Ids.Count, "ids", allowEmpty: true);
        for (var i = 0; i < request.Ids.Count; i++) Require.Id(request.Ids[i], $"ids[{i}]");
        await RequireCollection(name);

        var ef = options.Ef > 0 ? options.Ef : (await grains.GetGrain<ICollectionGrain>(name).GetSearchLayout(options.Metric)).Settings.DefaultEf;
        var metric = options.Metric.ToString().ToLowerInvariant();
        var trust = grains.GetGrain<IMapTrustGrain>($"{job}/{name}/{metric}/{k}/{ef}");
        var summary = await trust.GetSummary();
        var images = request.Ids.Count > 0
            ? await trust.GetImages([.. request.Ids])
            : request.Limit > 0 ? await trust.GetPage(request.Offset, request.Limit, request.LeastTrustedFirst) : [];
        return new GetTrustResponse
        {
            Summary = new TrustSummary
            {
                JobId = summary.JobId, Points = summary.Points, K = summary.K, Mean = summary.Mean,
                Median = summary.Median, P10 = summary.P10, P90 = summary.P90, Histogram = { summary.Histogram },
            },
            Images = { images.Select(i => new Api.V1.ImageTrust { Id = i.Id, Row = i.Row, Trust = i.Trust, Labels = { i.Labels } }) },
        };
    }

    public override async Task<IndexInfo> GetIndex(GetIndexRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Collection, "collection");
        var metric = ToMetric(request.Metric);
        await RequireCollection(name);
        var clock = Stopwatch.StartNew();
        var index = await grains.GetGrain<INeighborSearchGrain>(name).DescribeIndex(metric, request.Build);
        return new IndexInfo
        {
            Collection = index.Collection,
            Metric = request.Metric == Api.V1.Metric.Unspecified ? Api.V1.Metric.Euclidean : request.Metric,
            Members = index.Members,
            Settings = ToWire(index.Settings),
            Partitions =
            {
                index.Partitions.Select(p => new IndexPartition
                {
                    Partition = p.Partition, Start = p.Start, Rows = p.Rows, Vectors = p.Vectors, Dimensions = p.Dimensions,
                    MemoryBytes = p.MemoryBytes, SavedRows = p.SavedRows, Silo = p.Silo, Loaded = p.Loaded,
                }),
            },
            Vectors = index.Partitions.Sum(p => p.Vectors),
            MemoryBytes = index.Partitions.Sum(p => p.MemoryBytes),
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    public override async Task<IndexSettings> ConfigureIndex(ConfigureIndexRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Collection, "collection");
        Require.Range(request.PartitionSize, 0, int.MaxValue, "partition_size");
        Require.Range(request.Connectivity, 0, 256, "connectivity");
        if (request.Connectivity == 1) throw Problems.Invalid("connectivity", "1 is too few links; at least 2");
        Require.Range(request.ExpansionAdd, 0, 4096, "expansion_add");
        Require.Range(request.DefaultEf, 0, MaxEf, "default_ef");
        var storage = request.Storage switch
        {
            IndexStorage.Unspecified => NeighborStorage.Unspecified,
            IndexStorage.Float32 => NeighborStorage.Float32,
            IndexStorage.Float16 => NeighborStorage.Float16,
            _ => throw Problems.Invalid("storage", $"{(int)request.Storage} is not a storage"),
        };
        await RequireCollection(name);
        var layout = await grains.GetGrain<ICollectionGrain>(name).ConfigureIndex(
            new NeighborIndexSettings(request.PartitionSize, request.Connectivity, request.ExpansionAdd, request.DefaultEf, storage));
        return ToWire(layout.Settings);
    }

    private async Task<SearchResponse[]> Run(string collection, IReadOnlyList<NeighborQuery> queries, int k, Space space, string jobId,
        Metric metric, IReadOnlyList<string> labels, int? ef, bool exact, Func<int, string> field)
    {
        var name = Require.Name(collection, "collection");
        for (var i = 0; i < labels.Count; i++)
            if (string.IsNullOrEmpty(labels[i])) throw Problems.Invalid($"labels[{i}]", "must not be empty");
        var options = Options(k, metric, [.. labels], ef, exact);
        var info = await RequireCollection(name);

        NearestMatch[][] matches;
        switch (space)
        {
            case Space.Unspecified or Space.Embedding:
                if (jobId.Length > 0) throw Problems.Invalid("job_id", "only a map search names a job (space SPACE_MAP)");
                matches = await grains.GetGrain<INeighborSearchGrain>(name).Search(await Resolve(name, queries, info.Dimensions, field), options);
                break;
            case Space.Map:
                var job = Require.Name(jobId, "job_id");
                if (options.Metric != NeighborMetric.Euclidean) throw Problems.Invalid("metric", "a map is searched by Euclidean distance");
                matches = await grains.GetGrain<IJobMapGrain>(job).Search(name, [.. queries.Select((q, i) => Convert(q, 0, field(i)))], options);
                break;
            default:
                throw Problems.Invalid("space", $"{(int)space} is not a space");
        }
        var results = new SearchResponse[matches.Length];
        for (var q = 0; q < matches.Length; q++)
        {
            var response = new SearchResponse();
            foreach (var m in matches[q])
                response.Neighbors.Add(new Neighbor { Id = m.Id, Distance = m.Distance, Labels = { m.Labels } });
            results[q] = response;
        }
        return results;
    }

    private NearestOptions Options(int k, Metric metric, string[] labels, int? ef, bool exact)
    {
        Require.Range(k, 1, settings.Value.MaxNeighbors, "k");
        if (ef is { } breadth) Require.Range(breadth, 1, MaxEf, "ef");
        return new NearestOptions(k, ToMetric(metric), labels, ef ?? 0, exact);
    }

    private static NeighborMetric ToMetric(Metric metric) => metric switch
    {
        Api.V1.Metric.Unspecified or Api.V1.Metric.Euclidean => NeighborMetric.Euclidean,
        Api.V1.Metric.Cosine => NeighborMetric.Cosine,
        _ => throw Problems.Invalid("metric", $"{(int)metric} is not a metric"),
    };

    private void CheckBatch(int count, string field, bool allowEmpty = false)
    {
        var limit = settings.Value.MaxBatchQueries;
        if (count == 0 && !allowEmpty) throw Problems.Invalid(field, "at least one query is required");
        if (count > limit) throw Problems.Invalid(field, $"{count} entries; at most {limit}");
    }

    private async Task<CollectionInfo> RequireCollection(string name)
    {
        var info = await grains.GetGrain<ICollectionGrain>(name).GetInfo();
        return info.Exists ? info : throw Problems.NotFound("collection", $"collection '{name}' does not exist");
    }

    /// <summary>Checks each query of an embedding-space search, so that errors name the query: unknown ids, wrong dimensions, NaN.</summary>
    private async Task<NearestQuery[]> Resolve(string collection, IReadOnlyList<NeighborQuery> queries, int dimensions, Func<int, string> field)
    {
        var resolved = new NearestQuery[queries.Count];
        for (var i = 0; i < resolved.Length; i++) resolved[i] = Convert(queries[i], dimensions, field(i));
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
            : NearestQuery.OfVector(ToArray(query.Vector.Values)),
        _ => throw Problems.Invalid(field, "an id or a vector is required"),
    };

    private static float[] ToArray(Google.Protobuf.Collections.RepeatedField<float> values)
    {
        var array = new float[values.Count];
        values.CopyTo(array, 0);
        return array;
    }

    private static IndexSettings ToWire(NeighborIndexSettings settings) => new()
    {
        PartitionSize = settings.PartitionSize,
        Connectivity = settings.Connectivity,
        ExpansionAdd = settings.ExpansionAdd,
        DefaultEf = settings.DefaultEf,
        Storage = settings.Storage == NeighborStorage.Float16 ? IndexStorage.Float16 : IndexStorage.Float32,
    };
}
