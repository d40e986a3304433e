using Orleans.Concurrency;
using Orleans.Embeddings.Grains.Images;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Search in a collection's embedding space: the queries go in one block to every partition of the collection's
/// index, one call each, and the partitions' lists merge here. A reentrant stateless worker, so each silo answers
/// the queries that reach it and many searches share one activation.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class NeighborSearchGrain : Grain, INeighborSearchGrain
{
    private string Collection => this.GetPrimaryKeyString();

    public async Task<NearestMatch[][]> Search(NearestQuery[] queries, NearestOptions options)
    {
        CheckK(options);
        var layout = await GrainFactory.GetGrain<ICollectionGrain>(Collection).GetSearchLayout(options.Metric);
        if (queries.Length == 0) return [];
        return await Scatter(layout, await Resolve(layout, queries), options);
    }

    public async Task<NearestMatch[][]> SearchBlock(QueryBlock queries, NearestOptions options)
    {
        CheckK(options);
        var layout = await GrainFactory.GetGrain<ICollectionGrain>(Collection).GetSearchLayout(options.Metric);
        if (layout.Dimensions > 0 && queries.Dimensions != layout.Dimensions)
            throw new ArgumentException($"vector: {queries.Dimensions} values where collection '{Collection}' has {layout.Dimensions} dimensions.", nameof(queries));
        return queries.Count == 0 ? [] : await Scatter(layout, queries, options);
    }

    public async Task<LabelSuggestion[]> SuggestLabels(NearestQuery[] queries, NearestOptions options) =>
        [.. (await Search(queries, options)).Select(LabelVotes.Suggest)];

    public async Task<NeighborIndexInfo> DescribeIndex(NeighborMetric metric, bool build)
    {
        var layout = await GrainFactory.GetGrain<ICollectionGrain>(Collection).GetSearchLayout(metric);
        var partitions = await Task.WhenAll(Enumerable.Range(0, layout.Partitions).Select(p =>
            GrainFactory.GetGrain<INeighborIndexGrain>(layout.PartitionKey(metric, p)).Describe(layout.Partition(metric, p), build)));
        return new NeighborIndexInfo(Collection, metric, layout.Settings, layout.Count, partitions);
    }

    /// <summary>Each partition's k best for every query, merged; the default ef is the collection's.</summary>
    private async Task<NearestMatch[][]> Scatter(SearchLayout layout, QueryBlock queries, NearestOptions options)
    {
        options = options with { Ef = options.Ef > 0 ? options.Ef : layout.Settings.DefaultEf };
        var members = options.Members > 0 ? Math.Min(options.Members, layout.Count) : layout.Count;
        var partitions = (members + layout.Settings.PartitionSize - 1) / layout.Settings.PartitionSize;
        if (partitions == 0) return [.. Enumerable.Range(0, queries.Count).Select(_ => Array.Empty<NearestMatch>())];
        if (partitions == 1)
            return await Partition(layout, options.Metric, 0).Search(layout.Partition(options.Metric, 0), queries, options);
        var lists = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p =>
            Partition(layout, options.Metric, p).Search(layout.Partition(options.Metric, p), queries, options)));
        return [.. Enumerable.Range(0, queries.Count).Select(q => Merge(lists.Select(list => list[q]), options.K))];
    }

    private INeighborIndexGrain Partition(SearchLayout layout, NeighborMetric metric, int partition) =>
        GrainFactory.GetGrain<INeighborIndexGrain>(layout.PartitionKey(metric, partition));

    /// <summary>The queries as one block: a query by id becomes its image's embedding, with the image left out.</summary>
    private async Task<QueryBlock> Resolve(SearchLayout layout, NearestQuery[] queries)
    {
        var vectors = new float[queries.Length][];
        var exclude = new string?[queries.Length];
        await Task.WhenAll(queries.Select(async (query, q) =>
        {
            if (query.Id is { } id)
            {
                // An image that was never described has no embedding either: only then does it matter whether it exists.
                var image = GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(Collection, id));
                var embedded = await image.Embed();
                if (embedded.Vector is null && !await image.Exists())
                    throw new KeyNotFoundException($"queries[{q}].id: image '{id}' is not in collection '{Collection}'.");
                vectors[q] = embedded.Vector ?? throw new InvalidOperationException($"queries[{q}].id: image '{id}' has no embedding: {embedded.Failure}");
                exclude[q] = id;
            }
            else
            {
                vectors[q] = query.Vector ?? throw new ArgumentException($"queries[{q}]: an id or a vector is required.", nameof(queries));
            }
        }));

        var dimensions = vectors[0].Length;
        for (var q = 0; q < vectors.Length; q++)
            if (vectors[q].Length != dimensions || dimensions == 0)
                throw new ArgumentException($"queries[{q}]: {vectors[q].Length} values where query 0 has {dimensions}.", nameof(queries));
        if (layout.Dimensions > 0 && dimensions != layout.Dimensions)
            throw new ArgumentException($"vector: {dimensions} values where collection '{Collection}' has {layout.Dimensions} dimensions.", nameof(queries));
        var block = new float[queries.Length * dimensions];
        for (var q = 0; q < vectors.Length; q++) vectors[q].CopyTo(block, q * dimensions);
        return QueryBlock.From(block, dimensions, exclude);
    }

    private static void CheckK(NearestOptions options)
    {
        if (options.K < 1) throw new ArgumentException($"k: {options.K} must be at least 1.", nameof(options));
        if (options.Ef < 0) throw new ArgumentException($"ef: {options.Ef} must not be negative.", nameof(options));
    }

    /// <summary>Each partition's list is nearest first; a stable sort over the partitions in order keeps ties in collection order.</summary>
    internal static NearestMatch[] Merge(IEnumerable<NearestMatch[]> lists, int k) =>
        [.. lists.SelectMany(list => list).OrderBy(match => match.Distance).Take(k)];
}
