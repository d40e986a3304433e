namespace Orleans.Embeddings;

/// <summary>A collection's settings, fixed when it is created.</summary>
/// <param name="Provider">The embedding provider its images use: pixels, vectors or clarifai.</param>
/// <param name="Dimensions">Embedding dimensions, or 0 to take them from the first embedded image.</param>
[GenerateSerializer, Immutable]
public sealed record CollectionSpec(
    [property: Id(0)] string Provider,
    [property: Id(1)] int Dimensions = 0);

/// <summary>A collection as its grain reports it.</summary>
[GenerateSerializer, Immutable]
public sealed record CollectionInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Provider,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] int Count,
    [property: Id(4)] int MembershipShards,
    [property: Id(5)] bool Exists);

/// <summary>The embeddings of one membership shard's images, in membership order.</summary>
[GenerateSerializer, Immutable]
public sealed record EmbeddingBlock(
    [property: Id(0)] string[] Ids,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] float[] Rows,
    [property: Id(3)] string[] Labels,
    [property: Id(4)] string[] Failures);

/// <summary>How many of a membership shard's images are embedded, their dimensions, and why any failed.</summary>
[GenerateSerializer, Immutable]
public sealed record EmbeddingSummary(
    [property: Id(0)] int Count,
    [property: Id(1)] int Embedded,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] string[] Failures);
