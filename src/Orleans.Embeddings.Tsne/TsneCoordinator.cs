using System.Diagnostics;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Tsne;

/// <summary>Where a run continues from: the iterations its checkpoint holds and the KL divergence measured last.</summary>
public sealed record TsneResumePoint(int Iteration, double? KlDivergence);

/// <summary>
/// The one place the phases of t-SNE are put in order, over shards that may live anywhere (<see cref="ITsneShards"/>):
/// PCA (the shards' sums reduced, the model fitted here), the neighbour search, the affinities, the starting map,
/// and the iterations. Each iteration is two rounds: the shards measure (the repulsion on their rows from the field
/// their machine's copy of the map builds, and Z; the attraction runs on meanwhile), the coordinator reduces Z, and
/// the shards step their own rows (and report their part of the KL divergence and their bounding box, from which
/// the coordinator plans the next grid). The in-process runner drives local shards with it, the job grain partition grains, so both
/// compute the same map. Progress, checkpoints and cancellation go through <see cref="ITsneRunHooks"/>.
/// </summary>
public sealed class TsneCoordinator(ITsneShards shards, TsneOptions options, int pointCount, int dimensions, ITsneRunHooks? hooks = null)
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

    private readonly ITsneRunHooks hooks = hooks ?? NoRunHooks.Instance;
    private readonly Dictionary<string, double> phaseSeconds = [];
    private readonly Stopwatch clock = new();

    /// <summary>Wall time of each phase this coordinator ran, in seconds.</summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds => phaseSeconds;

    /// <summary>Seconds of the iterations spent in the coordinator's own work (the reductions), not waiting on shards.</summary>
    public double CoordinatorSeconds { get; private set; }

    /// <summary>The coordinator's share of the iterations' wall time, 0 to 1.</summary>
    public double CoordinatorShare => CoordinatorSeconds / Math.Max(phaseSeconds.GetValueOrDefault(Phases.Optimization), 1e-9);

    /// <summary>Runs every phase, or continues from a checkpoint; returns the final map's KL divergence.</summary>
    public async Task<double> Run(TsneResumePoint? resume = null, CancellationToken cancellation = default)
    {
        TsneValidation.Validate(options, pointCount, dimensions);
        clock.Start();
        var model = await Timed(Phases.Pca, () => FitPca(cancellation));
        await Timed(Phases.Neighbors, () => FindNeighbors(model, cancellation));
        var entropy = await Timed(Phases.Affinities, () => ExchangeAffinities(cancellation));
        var bounds = await Timed(Phases.Initialization, async () =>
            MapBounds.Union(await All(s => shards.StartOptimization(s, model, resume?.Iteration, cancellation))));
        return await Timed(Phases.Optimization, () => Optimize(bounds, entropy, resume, cancellation));
    }

    private async Task<PcaModel?> FitPca(CancellationToken cancellation)
    {
        var pcaDimensions = options.EffectivePcaDimensions(dimensions);
        var plan = NeighborPlan.For(options, pointCount, dimensions);
        if (pcaDimensions == 0 && plan.SearchDimensions == 0 && options.Initialization != MapInitialization.Pca)
            return null;
        var maxAbsolute = (await All(s => shards.MaxAbsolute(s, cancellation))).Max();
        var sums = (await All(s => shards.ComputePcaSums(s, maxAbsolute, cancellation))).Aggregate((a, b) => a.Add(b));
        var components = Math.Max(Math.Max(pcaDimensions, plan.SearchDimensions), Math.Min(options.OutputDimensions, dimensions));
        var model = await Task.Run(() => PcaModel.Fit(sums, components), cancellation);
        if (pcaDimensions > 0 || plan.SearchDimensions > 0)
            await All(s => shards.ApplyPca(s, model, pcaDimensions, plan.SearchDimensions, cancellation));
        return model;
    }

    private async Task FindNeighbors(PcaModel? model, CancellationToken cancellation)
    {
        var plan = NeighborPlan.For(options, pointCount, dimensions);
        var count = shards.Layout.ShardCount;
        await All(s => shards.BeginNeighborSearch(s, plan.Candidates, cancellation));
        if (plan.Exact)
        {
            await All(async query =>
            {
                for (var owner = 0; owner < count; owner++) await shards.OfferExactCandidates(query, owner, cancellation);
            });
        }
        else
        {
            // Every shard indexes its own rows; every shard's rows then query every index, owners in order.
            await All(s => shards.BuildIndex(s, plan.Candidates, cancellation));
            await All(async query =>
            {
                for (var owner = 0; owner < count; owner++) await shards.OfferIndexCandidates(query, owner, cancellation);
            });
        }
        if (plan.Refine)
        {
            await All(s => shards.BeginRefinement(s, options.NeighborCount(pointCount), cancellation));
            await All(async query =>
            {
                for (var owner = 0; owner < count; owner++) await shards.Refine(query, owner, cancellation);
            });
        }
        await All(s => shards.EndNeighborSearch(s, cancellation));
    }

    private async Task<double> ExchangeAffinities(CancellationToken cancellation)
    {
        await All(s => shards.SendAffinities(s, cancellation));
        double entropy = 0;
        foreach (var term in await All(s => shards.AssembleAffinities(s, cancellation))) entropy += term;
        return entropy;
    }

    private async Task<double> Optimize(MapBounds bounds, double entropy, TsneResumePoint? resume, CancellationToken cancellation)
    {
        var optimizer = new TsneOptimizer(pointCount, options, entropy, resume?.Iteration ?? 0, resume?.KlDivergence);
        var phase = "";
        while (!optimizer.Finished)
        {
            cancellation.ThrowIfCancellationRequested();
            if (optimizer.Phase.Name != phase) hooks.PhaseStarted(phase = optimizer.Phase.Name);
            var plan = optimizer.Plan(bounds);
            var measurements = await All(s => shards.Measure(s, plan, cancellation));
            var reducing = clock.Elapsed;
            var step = optimizer.Reduce(plan, measurements);
            CoordinatorSeconds += (clock.Elapsed - reducing).TotalSeconds;
            bounds = optimizer.Advance(step, await All(s => shards.Step(s, step, cancellation)));
            double? kl = plan.MeasuresKl ? optimizer.KlDivergence : null;
            hooks.Iterated(plan.Iteration, kl);
            if (!optimizer.Finished && hooks.ShouldCheckpoint(optimizer.Iteration))
            {
                await All(s => shards.SaveCheckpoint(s, optimizer.Iteration, cancellation));
                await hooks.Checkpointed(optimizer.Iteration, double.IsNaN(optimizer.KlDivergence) ? null : optimizer.KlDivergence);
            }
        }
        await All(s => shards.SaveResult(s, cancellation));
        return optimizer.KlDivergence;
    }

    private async Task<T> Timed<T>(string phase, Func<Task<T>> work)
    {
        hooks.PhaseStarted(phase);
        var started = clock.Elapsed;
        var result = await work();
        phaseSeconds[phase] = (clock.Elapsed - started).TotalSeconds;
        return result;
    }

    private Task<bool> Timed(string phase, Func<Task> work) => Timed(phase, async () =>
    {
        await work();
        return true;
    });

    // One step on every shard, concurrently; the results in shard order.
    private Task<T[]> All<T>(Func<int, Task<T>> step) => Task.WhenAll(Enumerable.Range(0, shards.Layout.ShardCount).Select(step));

    private Task All(Func<int, Task> step) => Task.WhenAll(Enumerable.Range(0, shards.Layout.ShardCount).Select(step));
}
