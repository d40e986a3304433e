using Orleans.Embeddings.Grains.Collections;
using Orleans.Embeddings.Grains.Images;

namespace Orleans.Embeddings.Grains;

/// <summary>Up to 4,096 member ids of a collection, keyed "collection/shard", and the gathering of their embeddings.</summary>
public sealed class CollectionShardGrain(
    [PersistentState("members", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<CollectionShardState> members) : Grain, ICollectionShardGrain
{
    /// <summary>Image grains asked at once; enough to keep a silo busy without flooding it.</summary>
    private const int Concurrency = 256;

    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);

    private EmbeddingBlock? cached;
    private int cachedIds;
    private IGrainTimer? expiry;

    private string Collection => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')];

    public async Task Add(string[] ids)
    {
        members.State.Ids.AddRange(ids);
        await members.WriteStateAsync();
    }

    public Task<string[]> GetIds() => Task.FromResult(members.State.Ids.ToArray());

    public async Task<EmbeddingSummary> EnsureEmbedded()
    {
        var block = await Block();
        return new EmbeddingSummary(block.Ids.Length, block.Ids.Length - block.Failures.Length, block.Dimensions, block.Failures);
    }

    public Task<EmbeddingBlock> GetEmbeddings() => Block();

    /// <summary>
    /// The shard's embeddings, one call per image. A job asks for them twice in quick succession (the coordinator
    /// checks, then the partitions read), so the block is kept for a minute after it is assembled.
    /// </summary>
    private async Task<EmbeddingBlock> Block()
    {
        if (cached is { } block && cachedIds == members.State.Ids.Count) return block;
        var images = await ForEachImage(image => image.Embed());
        var dimensions = images.FirstOrDefault(i => i.Vector is not null)?.Vector!.Length ?? 0;
        var rows = new float[images.Length * dimensions];
        var failures = new List<string>();
        for (var i = 0; i < images.Length; i++)
        {
            var id = members.State.Ids[i];
            if (images[i].Vector is not { } vector)
                failures.Add($"{id}: {images[i].Failure}");
            else if (vector.Length != dimensions)
                failures.Add($"{id}: {vector.Length} dimensions where the collection has {dimensions}");
            else
                vector.CopyTo(rows, i * dimensions);
        }
        block = EmbeddingBlock.FromRows([.. members.State.Ids], dimensions, rows, images.Select(i => string.Join(",", i.Labels)).ToArray(), [.. failures]);
        if (failures.Count == 0)
        {
            (cached, cachedIds) = (block, members.State.Ids.Count);
            expiry?.Dispose();
            expiry = this.RegisterGrainTimer(() => { cached = null; expiry?.Dispose(); return Task.CompletedTask; },
                new GrainTimerCreationOptions(CacheLifetime, Timeout.InfiniteTimeSpan));
        }
        return block;
    }

    private async Task<T[]> ForEachImage<T>(Func<IImageGrain, Task<T>> call)
    {
        var collection = Collection;
        var results = new T[members.State.Ids.Count];
        var at = 0;
        foreach (var batch in members.State.Ids.Chunk(Concurrency))
        {
            var values = await Task.WhenAll(batch.Select(id => call(GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(collection, id)))));
            values.CopyTo(results, at);
            at += values.Length;
        }
        return results;
    }
}
