namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>The shape of an image grain's state that matters to storage: an embedding and some text.</summary>
[GenerateSerializer]
public sealed class StorageTestState
{
    [Id(0)] public float[]? Vector { get; set; }
    [Id(1)] public string Label { get; set; } = "";
}
