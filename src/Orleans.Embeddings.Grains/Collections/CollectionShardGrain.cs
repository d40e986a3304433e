using Orleans.Embeddings.Grains.Collections;
using Orleans.Embeddings.Grains.Images;

namespace Orleans.Embeddings.Grains;

/// <summary>Up to 4,096 member ids of a collection, keyed "collection/shard", and the gathering of their embeddings.</summary>
public sealed class CollectionShardGrain(
    [PersistentState("members", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<CollectionShardState> members) : Grain, ICollectionShardGrain
{
    /// <summary>Image grains asked at once; enough to keep a silo busy without flooding it.</summary>
    private const int Concurrency = 256;

    private string Collection => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')];

    public async Task Add(string[] ids)
    {
        members.State.Ids.AddRange(ids);
        await members.WriteStateAsync();
    }

    public Task<string[]> GetIds() => Task.FromResult(members.State.Ids.ToArray());

    public async Task<EmbeddingSummary> EnsureEmbedded()
    {
        var infos = await ForEachImage(image => image.EnsureEmbedded());
        var embedded = infos.Where(i => i.Status == EmbeddingStatus.Embedded).ToArray();
        return new EmbeddingSummary(infos.Length, embedded.Length, embedded.FirstOrDefault()?.Dimensions ?? 0,
            infos.Where(i => i.Status != EmbeddingStatus.Embedded).Select(i => $"{i.Id}: {i.Failure ?? "not embedded"}").ToArray());
    }

    public async Task<EmbeddingBlock> GetEmbeddings()
    {
        var summary = await EnsureEmbedded();
        var vectors = await ForEachImage(image => image.GetEmbedding());
        var infos = await ForEachImage(image => image.GetInfo());
        var dimensions = summary.Dimensions;
        var rows = new float[vectors.Length * dimensions];
        var failures = new List<string>(summary.Failures);
        for (var i = 0; i < vectors.Length; i++)
        {
            if (vectors[i] is not { } vector) continue;
            if (vector.Length != dimensions)
                failures.Add($"{members.State.Ids[i]}: {vector.Length} dimensions where the collection has {dimensions}");
            else
                vector.CopyTo(rows, i * dimensions);
        }
        return new EmbeddingBlock([.. members.State.Ids], dimensions, rows, infos.Select(i => string.Join(",", i.Labels)).ToArray(), [.. failures]);
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
