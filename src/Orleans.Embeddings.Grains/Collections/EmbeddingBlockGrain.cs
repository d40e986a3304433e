using Orleans.Placement;

namespace Orleans.Embeddings.Grains.Collections;

/// <summary>
/// The embeddings of one membership shard stored as one block, keyed like the shard ("collection/shard"): what jobs
/// and exports read, so that a million embeddings come back in 245 reads rather than through a million image grain
/// activations. The shard writes it once all its members are embedded and drops it when its members change. The
/// block (16 MB at 4,096 x 1,024 floats) stays in memory only for the call that reads or writes it.
/// </summary>
public interface IEmbeddingBlockGrain : IGrainWithStringKey
{
    Task Save(EmbeddingBlock block);

    Task<EmbeddingBlock?> Load();

    Task Clear();
}

/// <inheritdoc cref="IEmbeddingBlockGrain"/>
[PreferLocalPlacement]
public sealed class EmbeddingBlockGrain(
    [PersistentState("block", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<EmbeddingBlockState> state) : Grain, IEmbeddingBlockGrain
{
    public async Task Save(EmbeddingBlock block)
    {
        state.State.Block = block;
        await state.WriteStateAsync();
        DeactivateOnIdle();
    }

    public Task<EmbeddingBlock?> Load()
    {
        DeactivateOnIdle();
        return Task.FromResult(state.State.Block);
    }

    public async Task Clear()
    {
        if (state.RecordExists) await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}

[GenerateSerializer]
public sealed class EmbeddingBlockState
{
    [Id(0)] public EmbeddingBlock? Block { get; set; }
}
