namespace Orleans.Embeddings;

/// <summary>
/// What an index partition covers: members [Start, Start + Capacity) of a collection that now has
/// <paramref name="Members"/> members, in one metric, with the graph settings it is built with.
/// </summary>
/// <param name="Dimensions">The collection's dimensions, or 0 to take them from the first embedding.</param>
[GenerateSerializer, Immutable]
public sealed record IndexPartitionSpec(
    [property: Id(0)] string Collection,
    [property: Id(1)] NeighborMetric Metric,
    [property: Id(2)] int Start,
    [property: Id(3)] int Capacity,
    [property: Id(4)] int Dimensions,
    [property: Id(5)] int Connectivity,
    [property: Id(6)] int ExpansionAdd,
    [property: Id(7)] int Members,
    [property: Id(8)] NeighborStorage Storage = NeighborStorage.Float32)
{
    /// <summary>Members of the collection that fall in this partition now.</summary>
    public int Rows => Math.Clamp(Members - Start, 0, Capacity);
}
