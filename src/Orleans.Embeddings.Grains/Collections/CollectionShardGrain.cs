using Orleans.Embeddings.Grains.Collections;
using Orleans.Embeddings.Grains.Images;

namespace Orleans.Embeddings.Grains;

/// <summary>
/// Up to 4,096 member ids of a collection, keyed "collection/shard", and the gathering of their embeddings.
/// </summary>
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

    public async Task Add(int position, string[] ids)
    {
        var current = members.State.Ids;
        if (position < 0 || position > current.Count)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"The shard holds {current.Count} ids.");
        if (position == current.Count && ids.Length == 0) return;
        var dropped = current.GetRange(position, current.Count - position);
        var stored = members.State.Stored;
        current.RemoveRange(position, dropped.Count);
        current.AddRange(ids);
        members.State.Stored = null;
        DropCaches();
        try
        {
            await members.WriteStateAsync();
        }
        catch
        {
            current.RemoveRange(position, ids.Length);
            current.AddRange(dropped);
            members.State.Stored = stored;
            throw;
        }
        if (stored is not null) await StoredBlock.Clear();
    }

    public Task<string[]> GetIds() => Task.FromResult(members.State.Ids.ToArray());

    public async Task<EmbeddingSummary> EnsureEmbedded()
    {
        if (members.State.Stored is { } stored) return stored;
        var block = await Block();
        return new EmbeddingSummary(block.Ids.Length, block.Ids.Length - block.Failures.Length, block.Dimensions, block.Failures);
    }

    public Task<EmbeddingBlock> GetEmbeddings() => Block();

    public async Task<EmbeddingStates> CountEmbeddings()
    {
        var infos = await ForEachImage(image => image.GetInfo());
        var embedded = infos.Count(i => i.Status == EmbeddingStatus.Embedded);
        var failed = infos.Where(i => i.Status == EmbeddingStatus.Failed).ToArray();
        var dimensions = infos.FirstOrDefault(i => i.Status == EmbeddingStatus.Embedded)?.Dimensions ?? 0;
        return new EmbeddingStates(infos.Length, embedded, failed.Length, dimensions,
            [.. failed.Take(EmbeddingStates.FailuresKept).Select(i => $"{i.Id}: {i.Failure}")]);
    }

    public async Task<string[][]> GetLabels() => (await ForEachImage(image => image.GetInfo())).Select(i => i.Labels).ToArray();

    public async Task Invalidate()
    {
        DropCaches();
        if (members.State.Stored is null) return;
        members.State.Stored = null;
        await members.WriteStateAsync();
        await StoredBlock.Clear();
    }

    public async Task<int> Clear()
    {
        var ids = members.State.Ids.ToArray();
        var collection = Collection;
        foreach (var batch in ids.Chunk(Concurrency))
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(collection, id)).Delete()));
        await members.ClearStateAsync();
        await StoredBlock.Clear();
        DropCaches();
        DeactivateOnIdle();
        return ids.Length;
    }

    /// <summary>
    /// The shard's embeddings: the stored block while the members are those it was stored for, or else one call per
    /// image, stored as a block once every member has its embedding. A job reads each block from one or two
    /// partitions in quick succession, so the block is also kept in memory for a minute after it is read.
    /// </summary>
    private async Task<EmbeddingBlock> Block()
    {
        if (cached is { } block && cachedIds == members.State.Ids.Count) return block;
        if (members.State.Stored is not null && await StoredBlock.Load() is { } loaded && loaded.Ids.SequenceEqual(members.State.Ids, StringComparer.Ordinal))
            block = loaded;
        else
        {
            block = await Gather();
            if (block.Failures.Length > 0) return block;
            await StoredBlock.Save(block);
            members.State.Stored = new EmbeddingSummary(block.Ids.Length, block.Ids.Length, block.Dimensions, []);
            await members.WriteStateAsync();
        }
        (cached, cachedIds) = (block, members.State.Ids.Count);
        expiry?.Dispose();
        expiry = this.RegisterGrainTimer(() => { cached = null; expiry?.Dispose(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(CacheLifetime, Timeout.InfiniteTimeSpan));
        return block;
    }

    /// <summary>Embeds every member that has no embedding yet and assembles the rows; a failed member's row is zeros.</summary>
    private async Task<EmbeddingBlock> Gather()
    {
        var ids = members.State.Ids.ToArray();
        var images = await ForEachImage(image => image.Embed());
        var dimensions = images.FirstOrDefault(i => i.Vector is not null)?.Vector!.Length ?? 0;
        var rows = new float[images.Length * dimensions];
        var failures = new List<string>();
        for (var i = 0; i < images.Length; i++)
        {
            if (images[i].Vector is not { } vector)
                failures.Add($"{ids[i]}: {images[i].Failure}");
            else if (vector.Length != dimensions)
                failures.Add($"{ids[i]}: {vector.Length} dimensions where the collection has {dimensions}");
            else
            {
                vector.CopyTo(rows, i * dimensions);
            }
        }
        return EmbeddingBlock.FromRows(ids, dimensions, rows, images.Select(i => string.Join(",", i.Labels)).ToArray(), [.. failures]);
    }

    private void DropCaches() => cached = null;

    private IEmbeddingBlockGrain StoredBlock => GrainFactory.GetGrain<IEmbeddingBlockGrain>(this.GetPrimaryKeyString());

    private async Task<T[]> ForEachImage<T>(Func<IImageGrain, Task<T>> call)
    {
        var collection = Collection;
        var ids = members.State.Ids.ToArray();
        var results = new T[ids.Length];
        var at = 0;
        foreach (var batch in ids.Chunk(Concurrency))
        {
            var values = await Task.WhenAll(batch.Select(id => call(GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(collection, id)))));
            values.CopyTo(results, at);
            at += values.Length;
        }
        return results;
    }
}
