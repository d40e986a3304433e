using System.Globalization;
using Orleans.Concurrency;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// A map's trust (<see cref="IMapTrustGrain"/>). The map side comes from the job's map grain (k-d tree); the
/// embedding side from the collection's index: each index partition hands over its rows' stored vectors a block at
/// a time, and the block is searched like any batch of queries, restricted to the map's images. Reentrant, with
/// the computation shared as one task; the result lives as long as the activation.
/// </summary>
[Reentrant]
public sealed class MapTrustGrain : Grain, IMapTrustGrain
{
    /// <summary>Rows searched per block, and blocks searched at once.</summary>
    private const int BlockRows = 1024;
    private const int BlocksAtOnce = 4;

    private Task<Computed>? computed;

    public async Task<MapTrustSummary> GetSummary() => (await Compute()).Summary;

    public async Task<ImageTrust[]> GetPage(int offset, int limit, bool leastTrustedFirst)
    {
        var result = await Compute();
        if (offset < 0) throw new ArgumentException($"offset: {offset} must not be negative.", nameof(offset));
        if (limit < 0) throw new ArgumentException($"limit: {limit} must not be negative.", nameof(limit));
        var order = leastTrustedFirst ? result.LeastTrustedFirst : Enumerable.Range(0, result.Trust.Length).ToArray();
        return [.. order.Skip(offset).Take(limit).Select(result.Image)];
    }

    public async Task<ImageTrust[]> GetImages(string[] ids)
    {
        var result = await Compute();
        return [.. ids.Select((id, i) => result.RowOf.TryGetValue(id, out var row)
            ? result.Image(row)
            : throw new KeyNotFoundException($"ids[{i}]: image '{id}' is not on the map of job '{result.Summary.JobId}'."))];
    }

    private Task<Computed> Compute()
    {
        if (computed is null || computed.IsFaulted || computed.IsCanceled) computed = Run();
        return computed;
    }

    private async Task<Computed> Run()
    {
        // Key: job/collection/metric/k/ef.
        var parts = this.GetPrimaryKeyString().Split('/');
        var (jobId, collection) = (parts[0], parts[1]);
        var metric = Enum.Parse<NeighborMetric>(parts[2], ignoreCase: true);
        var k = int.Parse(parts[3], CultureInfo.InvariantCulture);
        var ef = int.Parse(parts[4], CultureInfo.InvariantCulture);

        var map = await GrainFactory.GetGrain<IJobMapGrain>(jobId).NeighborRows(collection, k);
        var points = map.Ids.Length;
        var rowOf = new Dictionary<string, int>(points, StringComparer.Ordinal);
        for (var row = 0; row < points; row++) rowOf.TryAdd(map.Ids[row], row);

        // The map's points are the collection's first members, so its index's first partitions hold them.
        var layout = await GrainFactory.GetGrain<ICollectionGrain>(collection).GetSearchLayout(metric);
        var options = new NearestOptions(k, metric, [], ef, Members: points);
        var search = GrainFactory.GetGrain<INeighborSearchGrain>(collection);
        var blocks = new List<(int Partition, int From)>();
        for (var p = 0; p * layout.Settings.PartitionSize < points; p++)
            for (var from = 0; from < Math.Min(layout.Settings.PartitionSize, points - p * layout.Settings.PartitionSize); from += BlockRows)
                blocks.Add((p, from));

        var trust = new float[points];
        Array.Fill(trust, float.NaN);
        var shared = new int[points];
        foreach (var wave in blocks.Chunk(BlocksAtOnce))
        {
            await Task.WhenAll(wave.Select(async block =>
            {
                var spec = layout.Partition(metric, block.Partition);
                var rows = await GrainFactory.GetGrain<INeighborIndexGrain>(layout.PartitionKey(metric, block.Partition))
                    .GetRows(spec, block.From, Math.Min(BlockRows, points - spec.Start - block.From));
                if (rows.Count == 0) return;
                var found = await search.SearchBlock(rows, options);
                for (var q = 0; q < rows.Count; q++)
                {
                    var row = rowOf[rows.Exclude[q]!];
                    var onMap = map.Rows.AsSpan(row * k, k);
                    var kept = 0;
                    foreach (var neighbor in found[q])
                        if (rowOf.TryGetValue(neighbor.Id, out var other) && onMap.Contains(other)) kept++;
                    var wanted = Math.Min(k, points - 1);
                    shared[row] = kept;
                    trust[row] = wanted > 0 ? (float)kept / wanted : 1f;
                }
            }));
        }
        return new Computed(jobId, k, map, trust, shared, rowOf);
    }

    /// <summary>The trust of every point (NaN for an image with no embedding) with its summary and orders.</summary>
    private sealed class Computed
    {
        private readonly MapNeighborRows map;

        public Computed(string jobId, int k, MapNeighborRows map, float[] trust, int[] shared, Dictionary<string, int> rowOf)
        {
            this.map = map;
            Trust = trust;
            RowOf = rowOf;
            var valid = Enumerable.Range(0, trust.Length).Where(r => !float.IsNaN(trust[r])).ToArray();
            LeastTrustedFirst = [.. valid.OrderBy(r => trust[r]).ThenBy(r => r)];
            var sorted = LeastTrustedFirst.Select(r => trust[r]).ToArray();
            var histogram = new int[k + 1];
            foreach (var row in valid) histogram[shared[row]]++;
            Summary = new MapTrustSummary(jobId, valid.Length, k, valid.Length > 0 ? valid.Average(r => (double)trust[r]) : 0,
                Quantile(sorted, 0.5), Quantile(sorted, 0.1), Quantile(sorted, 0.9), histogram);
        }

        public float[] Trust { get; }

        public Dictionary<string, int> RowOf { get; }

        public int[] LeastTrustedFirst { get; }

        public MapTrustSummary Summary { get; }

        public ImageTrust Image(int row) => new(map.Ids[row], row, Trust[row], map.Labels[row]);

        private static float Quantile(float[] sorted, double q) =>
            sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
    }
}
