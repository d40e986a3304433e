namespace Orleans.Embeddings;

/// <summary>A collection's index in one metric: its settings and each partition's state.</summary>
/// <param name="Members">The collection's size when described.</param>
[GenerateSerializer, Immutable]
public sealed record NeighborIndexInfo(
    [property: Id(0)] string Collection,
    [property: Id(1)] NeighborMetric Metric,
    [property: Id(2)] NeighborIndexSettings Settings,
    [property: Id(3)] int Members,
    [property: Id(4)] IndexPartitionInfo[] Partitions);

/// <summary>One index partition as it stands.</summary>
/// <param name="Rows">Members the partition has taken in (with or without an embedding).</param>
/// <param name="Vectors">Members in its graph, which searches can find.</param>
/// <param name="MemoryBytes">Memory of the graph and its vectors.</param>
/// <param name="SavedRows">Rows in the partition's last saved snapshot (0: none saved).</param>
/// <param name="Loaded">Whether the partition is in memory (false: it has not been searched since it was activated).</param>
[GenerateSerializer, Immutable]
public sealed record IndexPartitionInfo(
    [property: Id(0)] int Partition,
    [property: Id(1)] int Start,
    [property: Id(2)] int Rows,
    [property: Id(3)] long Vectors,
    [property: Id(4)] int Dimensions,
    [property: Id(5)] long MemoryBytes,
    [property: Id(6)] int SavedRows,
    [property: Id(7)] string Silo,
    [property: Id(8)] bool Loaded);
