using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Grains.Jobs;

/// <summary>Turns the wire form of a job's parameters into the engine's options, naming any unknown choice.</summary>
public static class TsneParametersMapping
{
    public static TsneOptions ToOptions(this TsneParameters p) => new()
    {
        Perplexity = p.Perplexity,
        OutputDimensions = p.OutputDimensions,
        EarlyExaggerationIterations = p.EarlyExaggerationIterations,
        EarlyExaggeration = p.EarlyExaggeration,
        Iterations = p.Iterations,
        Exaggeration = p.Exaggeration,
        LearningRate = p.LearningRate,
        EarlyMomentum = p.EarlyMomentum,
        Momentum = p.Momentum,
        Theta = p.Theta,
        DegreesOfFreedom = p.DegreesOfFreedom,
        Seed = p.Seed,
        Initialization = Parse<MapInitialization>(p.Initialization, nameof(p.Initialization)),
        Metric = Parse<DistanceMetric>(p.Metric, nameof(p.Metric)),
        Neighbors = Parse<NeighborMethod>(p.Neighbors, nameof(p.Neighbors)),
        Repulsion = Parse<RepulsionMethod>(p.Repulsion, nameof(p.Repulsion)),
        PcaDimensions = p.PcaDimensions,
        KlEvery = p.KlEvery,
        MinGain = p.MinGain,
        MaxStepNorm = p.MaxStepNorm,
    };

    private static T Parse<T>(string value, string parameter) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && value.Trim().Length > 0 && !char.IsDigit(value.Trim()[0])
            ? parsed
            : throw new ArgumentException(
                $"{parameter} = '{value}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.", parameter);
}
