namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>The embedding Clarifai returned for one content hash, as little-endian float32 bytes.</summary>
[GenerateSerializer]
public sealed class ClarifaiEmbeddingState
{
    [Id(0)] public byte[]? VectorBytes { get; set; }
}
