using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What every shard is told for the second half of an iteration: the normaliser Z of the whole map and, with the FFT,
/// the potentials on the grid, from which each shard interpolates the repulsive forces on its own rows.
/// </summary>
public sealed record StepPlan(int Iteration, double Z, FftPotentialGrid? Potentials);
