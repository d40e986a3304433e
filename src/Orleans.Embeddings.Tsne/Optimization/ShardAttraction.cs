namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard sends back each iteration for its rows: the attractive forces (from its rows of P) and, on KL
/// iterations, its part of sum p log w. O(rows x dimensions) in all.
/// </summary>
public sealed record ShardAttraction(int Start, float[] Forces, double? LogWeightSum);
