namespace Orleans.Embeddings.Grains.Jobs;

[GenerateSerializer]
public sealed class TsneJobRegistryState
{
    [Id(0)] public HashSet<string> Running { get; set; } = [];
    [Id(1)] public HashSet<string> All { get; set; } = [];
    /// <summary>Job id to collection, for the jobs whose starter recorded it.</summary>
    [Id(2)] public Dictionary<string, string> Collections { get; set; } = [];
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

    public async Task SetCollection(string jobId, string collection)
    {
        if (jobs.State.Collections.GetValueOrDefault(jobId) == collection) return;
        jobs.State.Collections[jobId] = collection;
        await jobs.WriteStateAsync();
    }

    public Task<Dictionary<string, string>> GetCollections() => Task.FromResult(new Dictionary<string, string>(jobs.State.Collections));
}
