using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// What every shard is told at the start of an iteration: its number, whether it measures the KL divergence, how the
/// repulsion is computed, and for the FFT the grid, planned from the shards' bounding boxes, that every copy of the
/// map builds its field on.
/// </summary>
public sealed record IterationPlan(int Iteration, bool MeasuresKl, RepulsionMethod Method, FftGridGeometry? Grid);
