namespace Orleans.Embeddings;

/// <summary>
/// How a collection's nearest-neighbour index is built and searched. Every value is positive once a collection
/// has settled them; when configuring, 0 (or an unspecified storage) keeps the current value.
/// </summary>
/// <param name="PartitionSize">Images per index partition: member i belongs to partition i / PartitionSize.</param>
/// <param name="Connectivity">Links per node of each partition's HNSW graph (M).</param>
/// <param name="ExpansionAdd">Candidates kept while linking a new node (ef_construction).</param>
/// <param name="DefaultEf">Candidates kept while searching, when a search names none (ef).</param>
/// <param name="Storage">How the graphs store the vectors (<see cref="NeighborStorage.Unspecified"/>: keep, when configuring).</param>
[GenerateSerializer, Immutable]
public sealed record NeighborIndexSettings(
    [property: Id(0)] int PartitionSize,
    [property: Id(1)] int Connectivity,
    [property: Id(2)] int ExpansionAdd,
    [property: Id(3)] int DefaultEf,
    [property: Id(4)] NeighborStorage Storage = NeighborStorage.Unspecified);
