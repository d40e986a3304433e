namespace Orleans.Embeddings;

/// <summary>
/// The names of every collection, so that they can be listed. A single grain (key 0): collections are created and
/// deleted rarely, and each collection registers itself.
/// </summary>
public interface ICollectionRegistryGrain : IGrainWithIntegerKey
{
    Task Register(string collection);

    Task Unregister(string collection);

    Task<string[]> GetAll();
}
