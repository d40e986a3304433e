namespace Orleans.Embeddings;

/// <summary>How many images of a collection (or of one membership shard) are embedded, failed or still pending.</summary>
/// <param name="Failures">The first few failures, "id: reason".</param>
[GenerateSerializer, Immutable]
public sealed record EmbeddingStates(
    [property: Id(0)] int Count,
    [property: Id(1)] int Embedded,
    [property: Id(2)] int Failed,
    [property: Id(3)] int Dimensions,
    [property: Id(4)] string[] Failures)
{
    /// <summary>Failures kept in a summary: enough to see what went wrong, small enough to send.</summary>
    public const int FailuresKept = 10;

    public int Pending => Count - Embedded - Failed;

    public static EmbeddingStates None { get; } = new(0, 0, 0, 0, []);

    public EmbeddingStates Add(EmbeddingStates other) => new(Count + other.Count, Embedded + other.Embedded, Failed + other.Failed,
        Dimensions > 0 ? Dimensions : other.Dimensions, [.. Failures.Concat(other.Failures).Take(FailuresKept)]);
}
