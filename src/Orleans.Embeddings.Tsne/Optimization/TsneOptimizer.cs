using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The coordinator's side of the optimisation: only what is global. It numbers the iterations, plans each one (the
/// phase, whether to measure the KL divergence, the FFT grid from the union of the shards' bounding boxes), finds Z
/// between the shards' two halves of an iteration, and the KL divergence from their sums p log w. It never holds an
/// array of the map's size: the shards keep their rows, velocities and gains and take the steps. After the last step
/// one more pass measures the final map's KL.
/// </summary>
public sealed class TsneOptimizer
{
    private readonly TsneOptions options;
    private readonly double entropyTerm;

    /// <param name="iteration">Iterations already taken, when continuing from a checkpoint.</param>
    /// <param name="klDivergence">The KL divergence measured last, when continuing from a checkpoint.</param>
    public TsneOptimizer(int pointCount, TsneOptions options, double entropyTerm, int iteration = 0, double? klDivergence = null)
    {
        this.options = options;
        this.entropyTerm = entropyTerm;
        PointCount = pointCount;
        Iteration = iteration;
        KlDivergence = klDivergence ?? double.NaN;
        Method = RepulsionFields.Resolve(options, pointCount);
    }

    public int PointCount { get; }

    /// <summary>Iterations taken so far; the pass numbered <see cref="TsneOptions.TotalIterations"/> only measures.</summary>
    public int Iteration { get; private set; }

    public bool Finished => Iteration > options.TotalIterations;

    public RepulsionMethod Method { get; }

    /// <summary>The latest KL divergence measured (NaN before the first).</summary>
    public double KlDivergence { get; private set; }

    /// <summary>Whether this pass evaluates the KL divergence: every KlEvery iterations and on the final pass.</summary>
    public bool MeasuresKl => Iteration == options.TotalIterations || (options.KlEvery > 0 && Iteration > 0 && Iteration % options.KlEvery == 0);

    public OptimizationPhase Phase => OptimizationPhase.At(Math.Min(Iteration, options.TotalIterations - 1), PointCount, options);

    /// <summary>This pass's plan, for a map inside <paramref name="bounds"/> (the union of the shards' boxes).</summary>
    public IterationPlan Plan(MapBounds bounds) => new(Iteration, MeasuresKl, Method,
        Method == RepulsionMethod.Fft ? FftRepulsionField.PlanGrid(bounds) : null);

    /// <summary>Z of this pass: the shards' chunk sums added in row order.</summary>
    public StepPlan Reduce(IterationPlan plan, IReadOnlyList<ShardMeasurement> measurements)
    {
        double z = 0;
        foreach (var measurement in measurements)
            foreach (var chunk in measurement.ZChunks) z += chunk;
        return new StepPlan(plan.Iteration, Math.Max(z, double.Epsilon));
    }

    /// <summary>
    /// Moves on once every shard has taken this pass's step: records the KL divergence when it was measured and
    /// returns the box around the new map, where the next iteration's grid goes.
    /// </summary>
    public MapBounds Advance(StepPlan step, IReadOnlyList<ShardStep> shards)
    {
        if (shards.All(s => s.LogWeightSum.HasValue))
        {
            double logWeights = 0;
            foreach (var shard in shards) logWeights += shard.LogWeightSum!.Value;
            KlDivergence = GradientAssembly.KlDivergence(entropyTerm, logWeights, step.Z);
        }
        Iteration++;
        return MapBounds.Union([.. shards.Select(s => s.Bounds)]);
    }
}
