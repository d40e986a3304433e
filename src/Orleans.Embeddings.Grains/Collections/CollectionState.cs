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
    /// <summary>The nearest-neighbour index settings, settled when the collection is first searched.</summary>
    [Id(5)] public NeighborIndexSettings? Index { get; set; }
    /// <summary>Part of the index partitions' keys; a new one starts a new index.</summary>
    [Id(6)] public string? IndexKey { get; set; }
    /// <summary>The metrics searched so far, whose indexes follow appends and updates.</summary>
    [Id(7)] public HashSet<NeighborMetric> IndexedMetrics { get; set; } = [];
}

/// <summary>A membership shard's ids, in the order they joined.</summary>
[GenerateSerializer]
public sealed class CollectionShardState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
    /// <summary>What the stored block of these members' embeddings holds (<see cref="EmbeddingBlockGrain"/>); null while none is stored.</summary>
    [Id(1)] public EmbeddingSummary? Stored { get; set; }
}
