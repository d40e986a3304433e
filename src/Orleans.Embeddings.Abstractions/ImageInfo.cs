namespace Orleans.Embeddings;

/// <summary>Where an image's embedding stands.</summary>
public enum EmbeddingStatus
{
    Pending,
    Embedded,
    /// <summary>The provider could not embed this image; <see cref="ImageInfo.Failure"/> says why. Retried on request.</summary>
    Failed,
}

/// <summary>One image of a collection, as its image grain holds it (the embedding itself on request).</summary>
[GenerateSerializer, Immutable]
public sealed record ImageInfo(
    [property: Id(0)] string Collection,
    [property: Id(1)] string Id,
    [property: Id(2)] ImageSource Source,
    [property: Id(3)] string[] Labels,
    [property: Id(4)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(5)] EmbeddingStatus Status,
    [property: Id(6)] int Dimensions,
    [property: Id(7)] string? Failure,
    [property: Id(8)] byte[]? Thumbnail);

/// <summary>What ingestion says about one image: its source, labels and free metadata.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageDescription(
    [property: Id(0)] string Id,
    [property: Id(1)] ImageSource Source,
    [property: Id(2)] string[] Labels,
    [property: Id(3)] IReadOnlyDictionary<string, string> Metadata);

/// <summary>An image's embedding (null if it has none), its labels, and why it failed if it did.</summary>
[GenerateSerializer, Immutable]
public sealed record EmbeddedImage(
    [property: Id(0)] float[]? Vector,
    [property: Id(1)] string[] Labels,
    [property: Id(2)] string? Failure);
