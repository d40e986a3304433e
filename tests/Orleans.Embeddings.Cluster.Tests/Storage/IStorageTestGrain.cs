namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>A grain whose only job is to persist <see cref="StorageTestState"/> through the SQLite provider.</summary>
public interface IStorageTestGrain : IGrainWithGuidKey
{
    Task Save(float[] vector, string label);

    Task<StorageTestState> Load();

    Task<bool> RecordExists();

    Task Clear();

    /// <summary>Differs between activations, so a test can tell that state came back from storage, not memory.</summary>
    Task<Guid> GetActivationId();

    Task Deactivate();
}
