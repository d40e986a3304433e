using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>One search of a <see cref="NeighborQueryPool"/>: the request, the point it searches around, and the exact k distances, nearest first.</summary>
public sealed record PooledQuery(string Kind, SearchRequest Request, float[] Vector, string? Exclude, double[] Expected);
