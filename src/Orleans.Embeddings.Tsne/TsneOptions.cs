namespace Orleans.Embeddings.Tsne;

/// <summary>
/// Every parameter of a t-SNE run. The defaults follow openTSNE: perplexity 30, PCA initialisation,
/// early exaggeration 12 for 250 iterations then 500 more, learning rate N / exaggeration.
/// </summary>
public sealed record TsneOptions
{
    /// <summary>Effective number of neighbours each point's input affinities are calibrated to.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Dimensions of the map, 1 to 3.</summary>
    public int OutputDimensions { get; init; } = 2;

    public int EarlyExaggerationIterations { get; init; } = 250;

    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Iterations after the early exaggeration phase.</summary>
    public int Iterations { get; init; } = 500;

    /// <summary>Exaggeration after the early phase (1 = none).</summary>
    public double Exaggeration { get; init; } = 1;

    /// <summary>
    /// Step size; null means auto, N / exaggeration of the current phase. The step is taken along the gradient
    /// divided by 4 (openTSNE's convention), so the value compares directly with openTSNE's and FIt-SNE's.
    /// </summary>
    public double? LearningRate { get; init; }

    public double EarlyMomentum { get; init; } = 0.5;

    public double Momentum { get; init; } = 0.8;

    /// <summary>Floor of the per-coordinate adaptive gains.</summary>
    public double MinGain { get; init; } = 0.01;

    /// <summary>Longest step one point may take in one iteration; 0 turns clipping off.</summary>
    public double MaxStepNorm { get; init; } = 5;

    /// <summary>Barnes-Hut opening angle.</summary>
    public double Theta { get; init; } = 0.5;

    /// <summary>Degrees of freedom of the output kernel; 1 is standard t-SNE, lower separates clusters more.</summary>
    public double DegreesOfFreedom { get; init; } = 1;

    public int Seed { get; init; } = 42;

    public MapInitialization Initialization { get; init; } = MapInitialization.Pca;

    /// <summary>Row-major N x OutputDimensions starting map when <see cref="Initialization"/> is Supplied.</summary>
    public float[]? InitialMap { get; init; }

    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    public NeighborMethod Neighbors { get; init; } = NeighborMethod.Auto;

    public RepulsionMethod Repulsion { get; init; } = RepulsionMethod.Auto;

    /// <summary>
    /// Replace the input by this many principal components before anything else (as Rtsne does with 50);
    /// 0, the default, keeps the input space, in which neighbours are then ranked by exact distance.
    /// </summary>
    public int PcaDimensions { get; init; }

    /// <summary>Evaluate the KL divergence every this many iterations (and after the last); 0 only at the end.</summary>
    public int KlEvery { get; init; } = 50;

    /// <summary>Threads the kernels may use; null means every core.</summary>
    public int? MaxThreads { get; init; }

    /// <summary>Neighbours per point: 3 x perplexity, at most N - 1.</summary>
    public int NeighborCount(int pointCount) => Math.Min(pointCount - 1, (int)Math.Ceiling(3 * Perplexity));

    public int TotalIterations => EarlyExaggerationIterations + Iterations;

    /// <summary>Principal components the input is reduced to, 0 for none.</summary>
    public int EffectivePcaDimensions(int inputDimensions) => PcaDimensions < inputDimensions ? PcaDimensions : 0;

    /// <summary>The threads every parallel step of a run may use (<see cref="MaxThreads"/>, or all cores).</summary>
    public ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = MaxThreads ?? Environment.ProcessorCount };
}
