using System.Diagnostics;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne;

/// <summary>
/// Runs t-SNE in one process by composing <see cref="TsneShard"/>s exactly as the cluster does: the coordinator's
/// reductions and update here, each shard's steps on its own rows, and every exchange an array handed over.
/// </summary>
public static class TsneRunner
{
    public static class Phases
    {
        public const string Input = "input";
        public const string Pca = "pca";
        public const string Neighbors = "neighbors";
        public const string Affinities = "affinities";
        public const string Initialization = "initialization";
        public const string Optimization = "optimization";
    }

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
        var phases = new Dictionary<string, double>();
        void Report(string phase, int iteration = 0, double? kl = null) =>
            progress?.Report(new TsneProgress(phase, iteration, options.TotalIterations, kl, clock.Elapsed));
        T Timed<T>(string phase, Func<T> work)
        {
            cancellation.ThrowIfCancellationRequested();
            Report(phase);
            var started = clock.Elapsed.TotalSeconds;
            var result = work();
            phases[phase] = clock.Elapsed.TotalSeconds - started;
            return result;
        }

        var layout = ShardLayout.Split(pointCount, shards);
        var shardList = Timed(Phases.Input, () => Enumerable.Range(0, layout.ShardCount)
            .Select(s => new TsneShard(layout.Start(s), data.Slice(layout.Start(s) * dimensions, layout.Count(s) * dimensions), dimensions, pointCount, options))
            .ToArray());

        var pcaDimensions = options.EffectivePcaDimensions(dimensions);
        var plan = NeighborPlan.For(options, pointCount, dimensions);
        var model = Timed(Phases.Pca, () => FitPca(shardList, pcaDimensions, plan, options));

        var k = options.NeighborCount(pointCount);
        Timed(Phases.Neighbors, () => FindNeighbors(shardList, k, plan, model));

        var entropyTerm = Timed(Phases.Affinities, () => ExchangeAffinities(shardList, layout));

        var map = Timed(Phases.Initialization, () => shardList.SelectMany(s => s.InitialRows(model)).ToArray());

        var kl = Timed(Phases.Optimization, () => Optimize(shardList, map, entropyTerm, options, (iteration, value) =>
        {
            cancellation.ThrowIfCancellationRequested();
            Report(OptimizationPhase.At(Math.Min(iteration, options.TotalIterations - 1), pointCount, options).Name, iteration, value);
        }));
        Report("done", options.TotalIterations, kl);
        return new TsneResult(map, options.OutputDimensions, kl, phases);
    }

    private static PcaModel? FitPca(TsneShard[] shards, int pcaDimensions, NeighborPlan plan, TsneOptions options)
    {
        if (pcaDimensions == 0 && plan.SearchDimensions == 0 && options.Initialization != MapInitialization.Pca)
            return null;
        var maxAbsolute = shards.Max(s => s.MaxAbsolute());
        var sums = shards.Select(s => s.ComputePcaSums(maxAbsolute)).Aggregate((a, b) => a.Add(b));
        var components = Math.Max(Math.Max(pcaDimensions, plan.SearchDimensions), Math.Min(options.OutputDimensions, shards[0].Dimensions));
        var model = PcaModel.Fit(sums, components);
        if (pcaDimensions > 0)
            foreach (var shard in shards) shard.ReduceDimensions(model);
        return model;
    }

    private static bool FindNeighbors(TsneShard[] shards, int k, NeighborPlan plan, PcaModel? model)
    {
        if (plan.SearchDimensions > 0)
            foreach (var shard in shards) shard.ProjectForSearch(model!.Truncate(plan.SearchDimensions));
        foreach (var shard in shards) shard.BeginNeighborSearch(plan.Candidates);
        if (plan.Exact)
        {
            foreach (var query in shards)
                foreach (var candidates in shards)
                    query.OfferCandidates(candidates.SearchRows, candidates.Start);
        }
        else
        {
            foreach (var owner in shards)
            {
                using var index = owner.BuildIndex(plan.Candidates);
                foreach (var query in shards) query.OfferCandidates(index);
            }
        }
        if (plan.Refine)
        {
            foreach (var shard in shards) shard.BeginRefinement(k);
            foreach (var query in shards)
                foreach (var owner in shards)
                    query.RefineWith(owner.InputRows, owner.Start);
        }
        foreach (var shard in shards) shard.EndNeighborSearch();
        return true;
    }

    private static double ExchangeAffinities(TsneShard[] shards, ShardLayout layout)
    {
        var outgoing = shards.Select(s => s.CalibrateAffinities(layout)).ToArray();
        double entropy = 0;
        for (var t = 0; t < shards.Length; t++)
            entropy += shards[t].AcceptAffinities(outgoing.Select(fromShard => fromShard[t])).EntropyTerm;
        return entropy;
    }

    private static double Optimize(TsneShard[] shards, float[] map, double entropyTerm, TsneOptions options, Action<int, double?> onIteration)
    {
        var optimizer = new TsneOptimizer(map, shards[0].PointCount, options, entropyTerm);
        while (!optimizer.Finished)
        {
            var iteration = optimizer.Iteration;
            // Both halves only read the map, so the repulsion field is built while the shards compute their
            // attractive forces: each half's parallel loops fill the other's idle threads.
            var repulsion = Task.Run(optimizer.ComputeRepulsion);
            var attraction = shards.Select(s => s.ComputeAttraction(map, optimizer.MeasuresKl)).ToArray();
            repulsion.GetAwaiter().GetResult();
            var kl = optimizer.Apply(attraction);
            if (kl.HasValue || iteration % 10 == 0) onIteration(iteration, kl);
        }
        return optimizer.KlDivergence;
    }
}
