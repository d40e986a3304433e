namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// An index partition's durable state: where its last snapshot is, the ETags of the snapshot chunks in each of the
/// two slots, and the ids of images changed since (to be read again). The graph itself is in the chunks, never here,
/// so this record stays small however large the partition grows.
/// </summary>
[GenerateSerializer]
public sealed class IndexPartitionState
{
    [Id(0)] public IndexSnapshot? Snapshot { get; set; }
    [Id(1)] public List<string?> SlotZeroETags { get; set; } = [];
    [Id(2)] public List<string?> SlotOneETags { get; set; } = [];
    [Id(3)] public HashSet<string> Stale { get; set; } = [];

    public List<string?> ETags(int slot) => slot == 0 ? SlotZeroETags : SlotOneETags;
}

/// <summary>
/// A saved partition: <paramref name="Rows"/> rows in <paramref name="Chunks"/> chunks of slot <paramref name="Slot"/>,
/// the first <paramref name="RowBytes"/> bytes holding the rows' ids and labels and the rest USearch's graph file.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IndexSnapshot(
    [property: Id(0)] int Slot,
    [property: Id(1)] int Rows,
    [property: Id(2)] int Chunks,
    [property: Id(3)] long RowBytes,
    [property: Id(4)] long TotalBytes,
    [property: Id(5)] int Dimensions,
    [property: Id(6)] int Connectivity,
    [property: Id(7)] int ExpansionAdd,
    [property: Id(8)] DateTime SavedUtc,
    [property: Id(9)] NeighborStorage Storage = NeighborStorage.Float32);

/// <summary>One chunk of a snapshot, a grain storage record of its own.</summary>
[GenerateSerializer]
public sealed class IndexChunk
{
    [Id(0)] public byte[] Bytes { get; set; } = [];
}
