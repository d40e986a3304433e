namespace Orleans.Embeddings.Grains.Images;

/// <summary>An image grain's durable state: the embedding is kept as raw float32, about 4 KB for 1024 dimensions.</summary>
[GenerateSerializer]
public sealed class ImageState
{
    [Id(0)] public string Provider { get; set; } = "";
    [Id(1)] public ImageSource? Source { get; set; }
    [Id(2)] public string[] Labels { get; set; } = [];
    [Id(3)] public Dictionary<string, string> Metadata { get; set; } = [];
    [Id(4)] public float[]? Embedding { get; set; }
    [Id(5)] public byte[]? Thumbnail { get; set; }
    [Id(6)] public string? Failure { get; set; }
}
