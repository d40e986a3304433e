namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// One iteration's attractive forces on a shard's rows (from its rows of P and the whole map) and, on KL iterations,
/// its part of sum p log w.
/// </summary>
public sealed record ShardAttraction(int Start, float[] Forces, double? LogWeightSum);
