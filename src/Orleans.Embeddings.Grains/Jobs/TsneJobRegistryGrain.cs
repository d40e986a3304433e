namespace Orleans.Embeddings.Grains.Jobs;

[GenerateSerializer]
public sealed class TsneJobRegistryState
{
    [Id(0)] public HashSet<string> Running { get; set; } = [];
    [Id(1)] public HashSet<string> All { get; set; } = [];
}

public sealed class TsneJobRegistryGrain(
    [PersistentState("jobs", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<TsneJobRegistryState> jobs) : Grain, ITsneJobRegistryGrain
{
    public async Task Register(string jobId)
    {
        if (jobs.State.Running.Add(jobId) | jobs.State.All.Add(jobId)) await jobs.WriteStateAsync();
    }

    public async Task Unregister(string jobId)
    {
        if (jobs.State.Running.Remove(jobId)) await jobs.WriteStateAsync();
    }

    public Task<string[]> GetRunning() => Task.FromResult(jobs.State.Running.Order(StringComparer.Ordinal).ToArray());

    public Task<string[]> GetAll() => Task.FromResult(jobs.State.All.Order(StringComparer.Ordinal).ToArray());
}
