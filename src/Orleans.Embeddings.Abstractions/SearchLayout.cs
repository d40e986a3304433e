namespace Orleans.Embeddings;

/// <summary>
/// What a search of a collection needs to know: its size and dimensions (0 while unknown) and how its index is
/// partitioned. <see cref="IndexKey"/> changes whenever the index must be built anew (new graph settings, or a
/// collection deleted and created again), so that partitions of an older index are never mistaken for current ones.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SearchLayout(
    [property: Id(0)] string Collection,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] int Count,
    [property: Id(3)] string IndexKey,
    [property: Id(4)] NeighborIndexSettings Settings)
{
    public int Partitions => (Count + Settings.PartitionSize - 1) / Settings.PartitionSize;

    /// <summary>The key of an index partition grain: "collection/index key/metric/partition".</summary>
    public string PartitionKey(NeighborMetric metric, int partition) =>
        $"{Collection}/{IndexKey}/{metric.ToString().ToLowerInvariant()}/{partition}";

    public IndexPartitionSpec Partition(NeighborMetric metric, int partition) =>
        new(Collection, metric, partition * Settings.PartitionSize, Settings.PartitionSize, Dimensions,
            Settings.Connectivity, Settings.ExpansionAdd, Count, Settings.Storage);
}
