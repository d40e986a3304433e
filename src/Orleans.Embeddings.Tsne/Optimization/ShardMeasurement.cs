namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard returns from the first half of an iteration: its rows' share of Z, one sum per chunk of rows
/// (<see cref="RepulsiveForces.ChunkSums"/>), so that Z adds up the same for any shard count.
/// </summary>
public sealed record ShardMeasurement(double[] ZChunks);

/// <summary>What a shard returns from the second half: the box around its rows' new positions and, on KL iterations, its sum p log w.</summary>
public sealed record ShardStep(MapBounds Bounds, double? LogWeightSum);
