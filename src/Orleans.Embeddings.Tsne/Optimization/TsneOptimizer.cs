using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The coordinator's side of the optimisation, whoever runs the shards: it holds the map and the optimiser state,
/// says what each iteration needs (the phase, whether to evaluate the KL divergence), computes the repulsive forces
/// from the whole map, and turns them and the shards' attractive forces into the next map. After the last step one more pass measures the final map's KL
/// divergence. The in-process runner and the cluster's coordinator grain both drive it, so they compute the same map.
/// </summary>
public sealed class TsneOptimizer
{
    private readonly TsneOptions options;
    private readonly double entropyTerm;
    private readonly float[] gradient;
    private readonly RepulsiveForces repulsion;
    private IRepulsionField? field;

    /// <param name="iteration">Iterations already taken, when continuing from a checkpoint.</param>
    public TsneOptimizer(float[] map, int pointCount, TsneOptions options, double entropyTerm, GradientDescent? descent = null, int iteration = 0)
    {
        this.options = options;
        this.entropyTerm = entropyTerm;
        Map = map;
        PointCount = pointCount;
        Descent = descent ?? new GradientDescent(pointCount, options.OutputDimensions);
        Iteration = iteration;
        gradient = new float[map.Length];
        repulsion = new RepulsiveForces(pointCount, options.OutputDimensions);
        Method = RepulsionFields.Resolve(options, pointCount);
    }

    public float[] Map { get; }

    public GradientDescent Descent { get; }

    public int PointCount { get; }

    /// <summary>Iterations taken so far; the pass numbered <see cref="TsneOptions.TotalIterations"/> only measures.</summary>
    public int Iteration { get; private set; }

    public bool Finished => Iteration > options.TotalIterations;

    public RepulsionMethod Method { get; }

    /// <summary>The latest KL divergence measured (NaN before the first).</summary>
    public double KlDivergence { get; private set; } = double.NaN;

    /// <summary>Whether this pass evaluates the KL divergence: every KlEvery iterations and on the final pass.</summary>
    public bool MeasuresKl => Iteration == options.TotalIterations || (options.KlEvery > 0 && Iteration > 0 && Iteration % options.KlEvery == 0);

    public OptimizationPhase Phase => OptimizationPhase.At(Math.Min(Iteration, options.TotalIterations - 1), PointCount, options);

    /// <summary>
    /// Builds this pass's repulsion field from the whole map (reusing the previous field's buffers) and evaluates it
    /// for every row. Reads only the map, so it may run while the shards compute their attractive forces.
    /// </summary>
    public void ComputeRepulsion()
    {
        field = RepulsionFields.Build(Method, Map, options.OutputDimensions, options, field);
        repulsion.Evaluate(field, options.Parallelism);
    }

    /// <summary>
    /// Assembles this pass's gradient from every shard's attractive forces and the repulsive forces of
    /// <see cref="ComputeRepulsion"/>, takes the step (unless this is the final pass) and returns the KL divergence if measured.
    /// </summary>
    public double? Apply(IReadOnlyList<ShardAttraction> attraction)
    {
        var last = Iteration == options.TotalIterations;
        var phase = Phase;
        var result = GradientAssembly.Assemble(attraction, repulsion, gradient, options.OutputDimensions, last ? 1 : phase.Exaggeration, entropyTerm);
        if (result.KlDivergence is { } kl) KlDivergence = kl;
        if (!last) Descent.Step(Map, gradient, phase, options, options.Parallelism);
        Iteration++;
        return result.KlDivergence;
    }
}
