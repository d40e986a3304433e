using Orleans.Concurrency;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// A completed job's map, loaded once per silo, for pages and searches. Reentrant: the map and the labels load
/// once as shared tasks, and searches run on the thread pool.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class JobMapGrain : Grain, IJobMapGrain
{
    private Task<TsneJobResult>? result;
    private readonly Dictionary<string, Task<ExactScan>> scans = new(StringComparer.Ordinal);

    private string JobId => this.GetPrimaryKeyString();

    public async Task<TsneMapPage> GetPage(int offset, int count)
    {
        var map = await Result();
        var total = map.Ids.Length;
        if (offset < 0 || offset > total) throw new ArgumentException($"offset: {offset} is outside the map's {total} points.", nameof(offset));
        if (count < 0) throw new ArgumentException($"limit: {count} must not be negative.", nameof(count));
        count = Math.Min(count, total - offset);
        var coordinates = map.Map.AsSpan(offset * map.Dimensions, count * map.Dimensions);
        return new TsneMapPage(JobId, map.Dimensions, total, offset, map.Ids[offset..(offset + count)],
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(coordinates).ToArray(), map.KlDivergence);
    }

    public async Task<NearestMatch[][]> Search(string collection, NearestQuery[] queries, NearestOptions options)
    {
        if (options.K < 1) throw new ArgumentException($"k: {options.K} must be at least 1.", nameof(options));
        var scan = await Scan(collection);
        var points = new float[queries.Length * scan.Dimensions];
        var exclude = new string?[queries.Length];
        for (var q = 0; q < queries.Length; q++)
        {
            ReadOnlySpan<float> point;
            if (queries[q].Id is { } id)
            {
                var row = scan.RowOf(id);
                if (row < 0) throw new KeyNotFoundException($"queries[{q}].id: image '{id}' is not on the map of job '{JobId}'.");
                point = scan.Row(row);
                exclude[q] = id;
            }
            else
            {
                point = queries[q].Vector ?? throw new ArgumentException($"queries[{q}]: an id or a vector is required.", nameof(queries));
                if (point.Length != scan.Dimensions)
                    throw new ArgumentException($"queries[{q}].vector: {point.Length} values where the map of job '{JobId}' has {scan.Dimensions} dimensions.", nameof(queries));
            }
            point.CopyTo(points.AsSpan(q * scan.Dimensions));
        }
        return await Task.Run(() => scan.Search(points, options, exclude));
    }

    private async Task<TsneJobResult> Result()
    {
        result ??= Load();
        try
        {
            return await result;
        }
        catch
        {
            // Not completed yet (or not reachable): the next call asks again.
            result = null;
            throw;
        }
    }

    private async Task<TsneJobResult> Load()
    {
        var job = GrainFactory.GetGrain<ITsneJobGrain>(JobId);
        if (await job.GetResult() is { } map) return map;
        var status = await job.GetStatus();
        throw status.State == TsneJobState.None
            ? new KeyNotFoundException($"job_id: job '{JobId}' does not exist.")
            : new InvalidOperationException(
                $"job_id: job '{JobId}' is {status.State.ToString().ToLowerInvariant()} ({status.Phase}, iteration {status.Iteration}/{status.TotalIterations}); its map is served once it completes.");
    }

    private async Task<ExactScan> Scan(string collection)
    {
        if (!scans.TryGetValue(collection, out var scan))
            scans[collection] = scan = BuildScan(collection);
        try
        {
            return await scan;
        }
        catch
        {
            scans.Remove(collection);
            throw;
        }
    }

    /// <summary>
    /// The map's points with the labels of <paramref name="collection"/>'s images, after checking that the
    /// collection's first members are the map's points, in the same order: a job maps the collection as it was.
    /// </summary>
    private async Task<ExactScan> BuildScan(string collection)
    {
        var map = await Result();
        var info = await GrainFactory.GetGrain<ICollectionGrain>(collection).GetInfo();
        if (!info.Exists) throw new KeyNotFoundException($"collection: '{collection}' does not exist.");
        var ids = new List<string>(map.Ids.Length);
        var labels = new List<string[]>(map.Ids.Length);
        for (var shard = 0; ids.Count < map.Ids.Length && shard < info.MembershipShards; shard++)
        {
            var members = GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(collection, shard));
            ids.AddRange(await members.GetIds());
            labels.AddRange(await members.GetLabels());
        }
        if (ids.Count < map.Ids.Length || !ids.Take(map.Ids.Length).SequenceEqual(map.Ids, StringComparer.Ordinal))
            throw new ArgumentException($"collection: job '{JobId}' did not map collection '{collection}' (its points are not that collection's images).", nameof(collection));
        return await Task.Run(() => new ExactScan(map.Ids, map.Map, map.Dimensions, [.. labels.Take(map.Ids.Length)]));
    }
}
