using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What a shard is told for the second half of an iteration: the normaliser Z of the whole map and, with the FFT, the
/// potentials on the boxes its rows occupy, from which it interpolates the repulsive forces on its rows.
/// </summary>
public sealed record StepPlan(int Iteration, double Z, GridBoxes? Potentials);
