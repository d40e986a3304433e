namespace Orleans.Embeddings.Grains.Collections;

[GenerateSerializer]
public sealed class CollectionState
{
    [Id(0)] public CollectionSpec? Spec { get; set; }
    [Id(1)] public int Count { get; set; }
}

/// <summary>A membership shard's ids, in the order they joined.</summary>
[GenerateSerializer]
public sealed class CollectionShardState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
}
