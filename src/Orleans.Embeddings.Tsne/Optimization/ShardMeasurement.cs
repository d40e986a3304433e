namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard returns from the first half of an iteration, the part of Z it knows: with the FFT, Z of the whole map
/// (every copy of the map finds the same from its grid); otherwise its rows' share, one sum per chunk of rows
/// (<see cref="RepulsiveForces.ChunkSums"/>).
/// </summary>
public sealed record ShardMeasurement(double? WholeMapZ, double[] ZChunks);

/// <summary>What a shard returns from the second half: the box around its rows' new positions and, on KL iterations, its sum p log w.</summary>
public sealed record ShardStep(MapBounds Bounds, double? LogWeightSum);
