using Orleans.Embeddings.Grains.Collections;
using Orleans.Embeddings.Grains.Images;

namespace Orleans.Embeddings.Grains;

/// <summary>
/// A collection's settings and size. New members are appended to membership shards of
/// <see cref="ICollectionGrain.MembershipShardSize"/> ids, so member i lives in shard i / MembershipShardSize
/// and the collection's order is stable: the order t-SNE jobs number their points in.
/// </summary>
public sealed class CollectionGrain(
    [PersistentState("collection", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<CollectionState> collection) : Grain, ICollectionGrain
{
    /// <summary>Image grains described at once while adding.</summary>
    private const int Concurrency = 256;

    public static string ShardKey(string collection, int shard) => $"{collection}/{shard}";

    public async Task<CollectionInfo> Create(CollectionSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Provider))
            throw new ArgumentException("provider must name an embedding provider.", nameof(spec));
        if (collection.State.Spec is { } existing)
        {
            if (existing != spec)
                throw new InvalidOperationException($"Collection '{this.GetPrimaryKeyString()}' exists with provider {existing.Provider} and {existing.Dimensions} dimensions.");
            return Info();
        }
        collection.State.Spec = spec;
        await collection.WriteStateAsync();
        return Info();
    }

    public Task<CollectionInfo> GetInfo() => Task.FromResult(Info());

    public async Task<int> Add(ImageDescription[] images)
    {
        var spec = collection.State.Spec ?? throw new KeyNotFoundException($"Collection '{this.GetPrimaryKeyString()}' does not exist.");
        var name = this.GetPrimaryKeyString();
        var fresh = new List<string>();
        foreach (var batch in images.DistinctBy(i => i.Id).Chunk(Concurrency))
        {
            var isNew = await Task.WhenAll(batch.Select(i =>
                GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(name, i.Id)).Describe(spec.Provider, i)));
            fresh.AddRange(batch.Where((_, at) => isNew[at]).Select(i => i.Id));
        }
        // Fill the last shard, then open new ones.
        var position = collection.State.Count;
        var added = 0;
        while (added < fresh.Count)
        {
            var shard = position / ICollectionGrain.MembershipShardSize;
            var room = ICollectionGrain.MembershipShardSize - position % ICollectionGrain.MembershipShardSize;
            var ids = fresh.Skip(added).Take(room).ToArray();
            await GrainFactory.GetGrain<ICollectionShardGrain>(ShardKey(name, shard)).Add(ids);
            added += ids.Length;
            position += ids.Length;
            collection.State.Count = position;
            await collection.WriteStateAsync();
        }
        return fresh.Count;
    }

    private CollectionInfo Info()
    {
        var state = collection.State;
        return new CollectionInfo(this.GetPrimaryKeyString(), state.Spec?.Provider ?? "", state.Spec?.Dimensions ?? 0, state.Count,
            (state.Count + ICollectionGrain.MembershipShardSize - 1) / ICollectionGrain.MembershipShardSize, state.Spec is not null);
    }
}
