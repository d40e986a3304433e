using System.Diagnostics;

namespace Orleans.Embeddings.Tsne;

/// <summary>
/// Runs t-SNE in one process: <see cref="TsneCoordinator"/> over <see cref="LocalShards"/>, the same phases and the
/// same decomposition as a cluster job, so the map is the cluster's for the same seed and shard count.
/// </summary>
public static class TsneRunner
{
    /// <summary>Runs t-SNE on rows given as arrays, which must all have the same length.</summary>
    public static TsneResult Run(IReadOnlyList<float[]> rows, TsneOptions options, int shards = 1,
        IProgress<TsneProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("t-SNE needs at least 2 points; got 0.", "points");
        var dimensions = rows[0].Length;
        var data = new float[rows.Count * dimensions];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != dimensions)
                throw new ArgumentException($"Row {i} has {rows[i].Length} values but row 0 has {dimensions}; every row needs the same dimensions.", "points");
            rows[i].CopyTo(data, i * dimensions);
        }
        return Run(data, dimensions, options, shards, progress, cancellation);
    }

    /// <summary>Runs t-SNE on a row-major matrix of <paramref name="dimensions"/> columns.</summary>
    public static TsneResult Run(ReadOnlyMemory<float> data, int dimensions, TsneOptions options, int shards = 1,
        IProgress<TsneProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (dimensions < 1 || data.Length % dimensions != 0)
            throw new ArgumentException($"{data.Length} values do not split into rows of {dimensions} dimensions.", nameof(dimensions));
        var pointCount = data.Length / dimensions;
        TsneValidation.Validate(options, pointCount, dimensions);
        var clock = Stopwatch.StartNew();
        var hooks = new ProgressHooks(progress, options, pointCount, clock);
        hooks.PhaseStarted(TsneCoordinator.Phases.Input);
        var local = new LocalShards(data, dimensions, options, shards);
        var input = clock.Elapsed.TotalSeconds;
        var coordinator = new TsneCoordinator(local, options, pointCount, dimensions, hooks);
        // On the thread pool, so no caller's synchronisation context sits under the coordinator's awaits.
        var kl = Task.Run(() => coordinator.Run(cancellation: cancellation), cancellation).GetAwaiter().GetResult();
        progress?.Report(new TsneProgress("done", options.TotalIterations, options.TotalIterations, kl, clock.Elapsed));
        var phases = new Dictionary<string, double> { [TsneCoordinator.Phases.Input] = input };
        foreach (var (phase, seconds) in coordinator.PhaseSeconds) phases[phase] = seconds;
        return new TsneResult(local.Map(), options.OutputDimensions, kl, phases) { CoordinatorShare = coordinator.CoordinatorShare };
    }

    // Progress as the runner always reported it: each phase, and every tenth iteration or KL measurement.
    private sealed class ProgressHooks(IProgress<TsneProgress>? progress, TsneOptions options, int pointCount, Stopwatch clock) : ITsneRunHooks
    {
        public void PhaseStarted(string phase)
        {
            if (phase is TsneCoordinator.Phases.Input or TsneCoordinator.Phases.Pca or TsneCoordinator.Phases.Neighbors
                or TsneCoordinator.Phases.Affinities or TsneCoordinator.Phases.Initialization or TsneCoordinator.Phases.Optimization)
                Report(phase, 0, null);
        }

        public void Iterated(int iteration, double? klDivergence)
        {
            if (klDivergence.HasValue || iteration % 10 == 0)
                Report(Optimization.OptimizationPhase.At(Math.Min(iteration, options.TotalIterations - 1), pointCount, options).Name, iteration, klDivergence);
        }

        public bool ShouldCheckpoint(int iteration) => false;

        public Task Checkpointed(int iteration, double? klDivergence) => Task.CompletedTask;

        private void Report(string phase, int iteration, double? kl) =>
            progress?.Report(new TsneProgress(phase, iteration, options.TotalIterations, kl, clock.Elapsed));
    }
}
