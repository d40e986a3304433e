namespace Orleans.Embeddings.Grains.Collections;

[GenerateSerializer]
public sealed class CollectionState
{
    [Id(0)] public CollectionSpec? Spec { get; set; }
    [Id(1)] public int Count { get; set; }
    /// <summary>Whether the collection registry lists it (collections older than the registry register on activation).</summary>
    [Id(2)] public bool Listed { get; set; }
    /// <summary>Dimensions learned from the first ingested vector when the spec leaves them open (0).</summary>
    [Id(3)] public int Dimensions { get; set; }
    /// <summary>A delete has started; the collection accepts nothing until a delete finishes.</summary>
    [Id(4)] public bool Deleting { get; set; }
}

/// <summary>A membership shard's ids, in the order they joined.</summary>
[GenerateSerializer]
public sealed class CollectionShardState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
}
