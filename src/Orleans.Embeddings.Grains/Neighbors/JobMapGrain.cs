using Orleans.Concurrency;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// A completed job's map, loaded once per silo, for pages and searches. Reentrant: the map, its k-d tree and the
/// labels load once as shared tasks, and searches run on the thread pool.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class JobMapGrain : Grain, IJobMapGrain
{
    private Task<TsneJobResult>? result;
    private readonly Dictionary<string, Task<ServedMap>> maps = new(StringComparer.Ordinal);

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
        var map = await Map(collection);
        var points = new float[queries.Length * map.Index.Dimensions];
        var excluded = new int[queries.Length];
        for (var q = 0; q < queries.Length; q++)
        {
            ReadOnlySpan<float> point;
            excluded[q] = -1;
            if (queries[q].Id is { } id)
            {
                var row = map.RowOf.GetValueOrDefault(id, -1);
                if (row < 0) throw new KeyNotFoundException($"queries[{q}].id: image '{id}' is not on the map of job '{JobId}'.");
                point = map.Index.Point(row);
                excluded[q] = row;
            }
            else
            {
                point = queries[q].Vector ?? throw new ArgumentException($"queries[{q}]: an id or a vector is required.", nameof(queries));
                if (point.Length != map.Index.Dimensions)
                    throw new ArgumentException($"queries[{q}].vector: {point.Length} values where the map of job '{JobId}' has {map.Index.Dimensions} dimensions.", nameof(queries));
            }
            point.CopyTo(points.AsSpan(q * map.Index.Dimensions));
        }
        var allowed = options.Labels.Length > 0 ? map.Labels.Filter(options.Labels, map.Index.Count).Bits : null;
        return await Task.Run(() =>
        {
            var results = new NearestMatch[queries.Length][];
            Parallel.For(0, queries.Length, q =>
            {
                var found = map.Index.Nearest(points.AsSpan(q * map.Index.Dimensions, map.Index.Dimensions), options.K, allowed, excluded[q]);
                results[q] = [.. found.Select(f => new NearestMatch(map.Ids[f.Row], f.Distance, map.RowLabels[f.Row]))];
            });
            return results;
        });
    }

    public async Task<MapNeighborRows> NeighborRows(string collection, int k)
    {
        if (k < 1) throw new ArgumentException($"k: {k} must be at least 1.", nameof(k));
        var map = await Map(collection);
        var count = map.Index.Count;
        var rows = new int[count * k];
        await Task.Run(() => Parallel.For(0, count, row =>
        {
            var found = map.Index.Nearest(map.Index.Point(row), k, excluded: row);
            var list = rows.AsSpan(row * k, k);
            list.Fill(-1);
            for (var i = 0; i < found.Length; i++) list[i] = found[i].Row;
        }));
        return new MapNeighborRows(map.Ids, map.RowLabels, k, rows);
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

    private async Task<ServedMap> Map(string collection)
    {
        if (!maps.TryGetValue(collection, out var map))
            maps[collection] = map = BuildMap(collection);
        try
        {
            return await map;
        }
        catch
        {
            maps.Remove(collection);
            throw;
        }
    }

    /// <summary>
    /// The map's points with the labels of <paramref name="collection"/>'s images, after checking that the
    /// collection's first members are the map's points, in the same order: a job maps the collection as it was.
    /// </summary>
    private async Task<ServedMap> BuildMap(string collection)
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
        return await Task.Run(() => new ServedMap(map.Ids, [.. labels.Take(map.Ids.Length)], new MapIndex(map.Map, map.Dimensions)));
    }

    /// <summary>A map ready for searches: its k-d tree, and each point's id and labels.</summary>
    private sealed class ServedMap
    {
        public ServedMap(string[] ids, string[][] labels, MapIndex index)
        {
            Ids = ids;
            RowLabels = labels;
            Index = index;
            RowOf = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
            for (var row = 0; row < ids.Length; row++) RowOf.TryAdd(ids[row], row);
            for (var row = 0; row < ids.Length; row++) Labels.Add(row, labels[row]);
        }

        public string[] Ids { get; }

        public string[][] RowLabels { get; }

        public MapIndex Index { get; }

        public Dictionary<string, int> RowOf { get; }

        public LabelSets Labels { get; } = new();
    }
}
