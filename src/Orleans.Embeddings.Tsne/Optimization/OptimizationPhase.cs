namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>The settings in force at one iteration: early exaggeration first, then the normal phase.</summary>
public readonly record struct OptimizationPhase(string Name, double Exaggeration, double Momentum, double LearningRate)
{
    public const string EarlyExaggeration = "early-exaggeration";
    public const string Normal = "optimization";

    public static OptimizationPhase At(int iteration, int pointCount, TsneOptions options)
    {
        var early = iteration < options.EarlyExaggerationIterations;
        var exaggeration = early ? options.EarlyExaggeration : options.Exaggeration;
        return new OptimizationPhase(
            early ? EarlyExaggeration : Normal,
            exaggeration,
            early ? options.EarlyMomentum : options.Momentum,
            options.LearningRate ?? Math.Max(pointCount / exaggeration, 1));
    }
}
