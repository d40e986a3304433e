namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>What every shard is told for the second half of an iteration: the normaliser Z of the whole map.</summary>
public sealed record StepPlan(int Iteration, double Z);
