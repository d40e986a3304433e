namespace Orleans.Embeddings.Cluster.Tests.Storage;

public sealed class StorageTestGrain(
    [PersistentState(StorageTestGrain.StateName, StorageTestGrain.StorageName)] IPersistentState<StorageTestState> state)
    : Grain, IStorageTestGrain
{
    public const string StorageName = "sqlite-tests";
    public const string StateName = "state";

    private readonly Guid activationId = Guid.NewGuid();

    public Task Save(float[] vector, string label)
    {
        state.State.Vector = vector;
        state.State.Label = label;
        return state.WriteStateAsync();
    }

    public Task<StorageTestState> Load() => Task.FromResult(state.State);

    public Task<bool> RecordExists() => Task.FromResult(state.RecordExists);

    public Task Clear() => state.ClearStateAsync();

    public Task<Guid> GetActivationId() => Task.FromResult(activationId);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
