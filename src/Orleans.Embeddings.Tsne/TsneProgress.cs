namespace Orleans.Embeddings.Tsne;

/// <summary>Where a run stands: the phase, the iteration (during optimisation), the latest KL divergence and the time spent.</summary>
public sealed record TsneProgress(string Phase, int Iteration, int TotalIterations, double? KlDivergence, TimeSpan Elapsed);
