namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard sends back each iteration for its rows: the attractive and (unnormalised) repulsive forces,
/// each row's share of Z, and, on KL iterations, its part of sum p log w. O(rows x dimensions) in all.
/// </summary>
public sealed record ShardForces(int Start, float[] Attraction, float[] Repulsion, double[] ZShares, double? LogWeightSum);
