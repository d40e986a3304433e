using Orleans.Placement;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>Stores one partition's rows; placed beside its caller so the rows do not cross the network twice.</summary>
[PreferLocalPlacement]
public sealed class PartitionRowsGrain(
    [PersistentState("rows", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<PartitionRowsState> state) : Grain, IPartitionRowsGrain
{
    public static string Key(string jobId, int partition, string slot) => $"{jobId}/{partition}/{slot}";

    public async Task Save(PartitionRowsRecord rows)
    {
        state.State.Rows = rows;
        await state.WriteStateAsync();
    }

    public Task<PartitionRowsRecord?> Load() => Task.FromResult(state.State.Rows);

    public async Task Clear()
    {
        if (state.RecordExists) await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}

[GenerateSerializer]
public sealed class PartitionRowsState
{
    [Id(0)] public PartitionRowsRecord? Rows { get; set; }
}
