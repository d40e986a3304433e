namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>The assembled gradient of one iteration, with Z and (on KL iterations) the KL divergence.</summary>
public sealed record IterationResult(float[] Gradient, double Z, double? KlDivergence);
