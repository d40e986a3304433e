namespace Orleans.Embeddings.Grains.Images;

/// <summary>An image grain's durable state: the embedding is kept as raw float32, 4 KB for 1024 dimensions.</summary>
[GenerateSerializer]
public sealed class ImageState
{
    [Id(0)] public string Provider { get; set; } = "";
    [Id(1)] public ImageSource? Source { get; set; }
    [Id(2)] public string[] Labels { get; set; } = [];
    [Id(3)] public Dictionary<string, string> Metadata { get; set; } = [];
    /// <summary>The embedding as little-endian float32 bytes: 4 bytes a value in storage (a float[] field would cost 5).</summary>
    [Id(4)] public byte[]? EmbeddingBytes { get; set; }

    public float[]? Embedding
    {
        get => EmbeddingBytes is null ? null : Serialization.PackedFloats.Unpack<float>(EmbeddingBytes);
        set => EmbeddingBytes = value is null ? null : Serialization.PackedFloats.Pack<float>(value);
    }

    [Id(5)] public byte[]? Thumbnail { get; set; }
    [Id(6)] public string? Failure { get; set; }
}
