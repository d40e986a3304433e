namespace Orleans.Embeddings.Grains.Collections;

[GenerateSerializer]
public sealed class CollectionRegistryState
{
    [Id(0)] public HashSet<string> Names { get; set; } = [];
}

public sealed class CollectionRegistryGrain(
    [PersistentState("collections", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<CollectionRegistryState> registry) : Grain, ICollectionRegistryGrain
{
    public async Task Register(string collection)
    {
        if (registry.State.Names.Add(collection)) await registry.WriteStateAsync();
    }

    public async Task Unregister(string collection)
    {
        if (registry.State.Names.Remove(collection)) await registry.WriteStateAsync();
    }

    public Task<string[]> GetAll() => Task.FromResult(registry.State.Names.Order(StringComparer.Ordinal).ToArray());
}
