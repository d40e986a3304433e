using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard returns from the first half of an iteration: with the FFT its rows' charges on the boxes of the
/// iteration's grid that they occupy (<see cref="GridBoxes"/>); otherwise its rows' share of Z, one sum per chunk of
/// rows (<see cref="RepulsiveForces.ChunkSums"/>).
/// </summary>
public sealed record ShardMeasurement(GridBoxes? Charges, double[] ZChunks);

/// <summary>What a shard returns from the second half: the box around its rows' new positions and, on KL iterations, its sum p log w.</summary>
public sealed record ShardStep(MapBounds Bounds, double? LogWeightSum);
