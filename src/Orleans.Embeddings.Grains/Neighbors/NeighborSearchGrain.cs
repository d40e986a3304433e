using Orleans.Concurrency;
using Orleans.Embeddings.Grains.Images;
using Orleans.Embeddings.Grains.Serialization;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Exact search in a collection's embedding space: every membership shard scans its own rows for each query's k
/// best, and the lists merge here. A stateless worker, so each silo answers the queries that reach it.
/// </summary>
[StatelessWorker]
public sealed class NeighborSearchGrain : Grain, INeighborSearchGrain
{
    public async Task<NearestMatch[][]> Search(NearestQuery[] queries, NearestOptions options)
    {
        var name = this.GetPrimaryKeyString();
        var info = await GrainFactory.GetGrain<ICollectionGrain>(name).GetInfo();
        if (!info.Exists) throw new KeyNotFoundException($"collection: '{name}' does not exist.");
        if (options.K < 1) throw new ArgumentException($"k: {options.K} must be at least 1.", nameof(options));
        if (queries.Length == 0) return [];

        var vectors = new float[queries.Length][];
        var exclude = new string?[queries.Length];
        await Task.WhenAll(queries.Select(async (query, q) =>
        {
            if (query.Id is { } id)
            {
                var image = GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(name, id));
                if (!await image.Exists()) throw new KeyNotFoundException($"queries[{q}].id: image '{id}' is not in collection '{name}'.");
                var embedded = await image.Embed();
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
        if (info.Dimensions > 0 && dimensions != info.Dimensions)
            throw new ArgumentException($"vector: {dimensions} values where collection '{name}' has {info.Dimensions} dimensions.", nameof(queries));

        var packed = PackedFloats.Pack<float>(vectors.SelectMany(v => v).ToArray());
        var perShard = await Task.WhenAll(Enumerable.Range(0, info.MembershipShards).Select(shard =>
            GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(name, shard)).Search(packed, dimensions, options, exclude)));
        return [.. Enumerable.Range(0, queries.Length).Select(q => Merge(perShard.Select(shard => shard[q]), options.K))];
    }

    /// <summary>Each shard's list is nearest first with ties in membership order; a stable sort over the shards in order keeps that.</summary>
    internal static NearestMatch[] Merge(IEnumerable<NearestMatch[]> lists, int k) =>
        [.. lists.SelectMany(list => list).OrderBy(match => match.Distance).Take(k)];
}
