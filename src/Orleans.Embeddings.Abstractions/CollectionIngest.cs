namespace Orleans.Embeddings;

/// <summary>What a collection made of one batch of ingested images.</summary>
/// <param name="Added">Accepted images whose id was new to the collection.</param>
/// <param name="Updated">Accepted images whose id the collection already had.</param>
/// <param name="Rejected">The images refused, by their position in the batch.</param>
[GenerateSerializer, Immutable]
public sealed record IngestOutcome(
    [property: Id(0)] int Added,
    [property: Id(1)] int Updated,
    [property: Id(2)] ItemRejection[] Rejected);

/// <summary>Why one image of a batch was refused; the reason names the offending field.</summary>
[GenerateSerializer, Immutable]
public sealed record ItemRejection(
    [property: Id(0)] int Index,
    [property: Id(1)] string Id,
    [property: Id(2)] string Reason);
