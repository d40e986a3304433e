namespace Orleans.Embeddings;

/// <summary>
/// Every t-SNE parameter a job can set, as it travels between grains and clients. Null or default values take the
/// engine's defaults (perplexity 30, 2-D, 250 early-exaggeration iterations at 12 then 500 more, learning rate
/// N / exaggeration, PCA initialisation).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TsneParameters
{
    [Id(0)] public double Perplexity { get; init; } = 30;
    [Id(1)] public int OutputDimensions { get; init; } = 2;
    [Id(2)] public int EarlyExaggerationIterations { get; init; } = 250;
    [Id(3)] public double EarlyExaggeration { get; init; } = 12;
    [Id(4)] public int Iterations { get; init; } = 500;

    /// <summary>The early-exaggeration iterations and those after them.</summary>
    public int TotalIterations => EarlyExaggerationIterations + Iterations;

    [Id(5)] public double Exaggeration { get; init; } = 1;
    [Id(6)] public double? LearningRate { get; init; }
    [Id(7)] public double EarlyMomentum { get; init; } = 0.5;
    [Id(8)] public double Momentum { get; init; } = 0.8;
    [Id(9)] public double Theta { get; init; } = 0.5;
    [Id(10)] public double DegreesOfFreedom { get; init; } = 1;
    [Id(11)] public int Seed { get; init; } = 42;
    /// <summary>pca or random.</summary>
    [Id(12)] public string Initialization { get; init; } = "pca";
    /// <summary>euclidean or cosine.</summary>
    [Id(13)] public string Metric { get; init; } = "euclidean";
    /// <summary>auto, exact or approximate.</summary>
    [Id(14)] public string Neighbors { get; init; } = "auto";
    /// <summary>auto, fft, barneshut or exact.</summary>
    [Id(15)] public string Repulsion { get; init; } = "auto";
    [Id(16)] public int PcaDimensions { get; init; }
    [Id(17)] public int KlEvery { get; init; } = 50;
    [Id(18)] public double MinGain { get; init; } = 0.01;
    [Id(19)] public double MaxStepNorm { get; init; } = 5;
}
