using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Embeddings.Grains.Partitions;
using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Runtime;

namespace Orleans.Embeddings.Grains.Jobs;

/// <summary>
/// Coordinates one t-SNE job. Start records the job and returns; the job then runs inside the grain as a loop of
/// short calls to its partitions, so status queries interleave with it and no call outlives Orleans' timeout.
/// Each iteration it sends every partition the map and, while they compute the attractive forces on their rows,
/// builds the repulsion field once from the whole map and evaluates it for every row.
/// The map and the optimiser state are checkpointed every few iterations. If the coordinator's silo dies, the
/// grain is reactivated elsewhere (by the job keeper, or any caller) and resumes: partitions are rebuilt (every
/// step before the optimisation is deterministic, so P comes out the same) and the iterations continue from the
/// checkpoint. A lost partition makes the run fail the same way and resume.
/// </summary>
public sealed class TsneJobGrain(
    [PersistentState("job", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<TsneJobRecord> job,
    Orleans.Serialization.Serializer serializer,
    ILogger<TsneJobGrain> logger) : Grain, ITsneJobGrain
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private CancellationTokenSource? cancellation;
    private Task? run;
    private readonly Stopwatch clock = new();
    private double elapsedBefore;
    private int iteration;
    private double? kl;
    private string[] partitionSilos = [];
    private long bytesPerPartitionIteration;
    private readonly Dictionary<string, double> phaseSeconds = [];
    private TsneMapSnapshot? currentMap;
    private double phaseStarted;

    private string JobId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (job.State.State == TsneJobState.Running)
        {
            job.State.Resumptions++;
            logger.LogInformation("Job {Job} resumes from iteration {Iteration}", JobId, job.State.Checkpoint?.Iteration ?? 0);
            StartRun();
        }
        return Task.CompletedTask;
    }

    public async Task<TsneJobStatus> Start(TsneJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (job.State.Spec is { } existing)
        {
            if (!SameSpec(existing, spec))
                throw new InvalidOperationException($"Job '{JobId}' already exists with different settings; choose another job id.");
            return Status();
        }
        _ = spec.Parameters.ToOptions(); // rejects unknown choices before anything is recorded
        var collection = await GrainFactory.GetGrain<ICollectionGrain>(spec.Collection).GetInfo();
        if (!collection.Exists) throw new KeyNotFoundException($"Collection '{spec.Collection}' does not exist.");
        if (collection.Count < 2) throw new ArgumentException($"Collection '{spec.Collection}' has {collection.Count} images; t-SNE needs at least 2.", nameof(spec));
        job.State = new TsneJobRecord { Spec = spec, State = TsneJobState.Running, Phase = "starting" };
        await job.WriteStateAsync();
        await GrainFactory.GetGrain<ITsneJobRegistryGrain>(0).Register(JobId);
        StartRun();
        return Status();
    }

    public Task<TsneJobStatus> GetStatus() => Task.FromResult(Status());

    public async Task Cancel()
    {
        if (job.State.State != TsneJobState.Running) return;
        cancellation?.Cancel();
        if (run is not null) await run;
    }

    public Task<TsneJobResult?> GetResult() => job.State is { State: TsneJobState.Completed, Map: { } map, Spec: { } spec }
        ? ResultOf(spec, PackedFloats.Unpack<float>(map))
        : Task.FromResult<TsneJobResult?>(null);

    public Task<TsneMapSnapshot?> GetCurrentMap() => Task.FromResult(currentMap);

    private async Task<TsneJobResult?> ResultOf(TsneJobSpec spec, float[] map)
    {
        var ids = await CollectionIds(spec.Collection, job.State.PointCount);
        return new TsneJobResult(JobId, ids, spec.Parameters.OutputDimensions, map, job.State.KlDivergence);
    }

    private void StartRun()
    {
        cancellation = new CancellationTokenSource();
        // Runs in the grain's context; its awaits interleave with status requests.
        run = RunUntilSettled(cancellation.Token);
    }

    private async Task RunUntilSettled(CancellationToken cancel)
    {
        while (true)
        {
            try
            {
                await Run(cancel);
                return;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await Finish(TsneJobState.Cancelled, null);
                return;
            }
            catch (Exception e) when (IsClusterFailure(e))
            {
                // A silo left mid-run: rebuild the partitions and continue from the checkpoint.
                logger.LogWarning(e, "Job {Job} lost a partition; resuming from iteration {Iteration}", JobId, job.State.Checkpoint?.Iteration ?? 0);
                job.State.Resumptions++;
                await Task.Delay(RetryDelay, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Job {Job} failed", JobId);
                await Finish(TsneJobState.Failed, e.GetBaseException().Message);
                return;
            }
        }
    }

    private async Task Run(CancellationToken cancel)
    {
        var spec = job.State.Spec!;
        var options = spec.Parameters.ToOptions();
        elapsedBefore = job.State.ElapsedSeconds;
        clock.Restart();
        phaseStarted = 0;
        job.State.Epoch++;
        await job.WriteStateAsync();

        SetPhase(TsneRunner.Phases.Input);
        var (pointCount, dimensions) = await EnsureEmbedded(spec.Collection, cancel);
        TsneValidation.Validate(options, pointCount, dimensions);
        job.State.PointCount = pointCount;
        job.State.Dimensions = dimensions;
        var layout = ShardLayout.Split(pointCount, await PartitionCount(spec));
        job.State.Partitions = layout.ShardCount;
        var partitions = Enumerable.Range(0, layout.ShardCount)
            .Select(p => GrainFactory.GetGrain<IPartitionGrain>($"{JobId}/{job.State.Epoch}/{p}")).ToArray();
        await Task.WhenAll(partitions.Select((partition, p) => partition.Load(
            new PartitionAssignment(JobId, spec.Collection, spec.Parameters, p, [.. layout.Starts], dimensions))));
        partitionSilos = await PartitionSilos(partitions);

        SetPhase(TsneRunner.Phases.Pca);
        var pcaDimensions = options.EffectivePcaDimensions(dimensions);
        var plan = NeighborPlan.For(options, pointCount, dimensions);
        PcaModel? model = null;
        if (pcaDimensions > 0 || plan.SearchDimensions > 0 || options.Initialization == MapInitialization.Pca)
        {
            var maxAbsolute = (await Task.WhenAll(partitions.Select(p => p.MaxAbsolute()))).Max();
            var sums = (await Task.WhenAll(partitions.Select(p => p.ComputePcaSums(maxAbsolute)))).Aggregate((a, b) => a.Add(b));
            var components = Math.Max(Math.Max(pcaDimensions, plan.SearchDimensions), Math.Min(options.OutputDimensions, dimensions));
            model = await Task.Run(() => PcaModel.Fit(sums, components), cancel);
            if (pcaDimensions > 0 || plan.SearchDimensions > 0)
                await Task.WhenAll(partitions.Select(p => p.ApplyPca(model, pcaDimensions, plan.SearchDimensions)));
        }
        cancel.ThrowIfCancellationRequested();

        SetPhase(TsneRunner.Phases.Neighbors);
        var k = options.NeighborCount(pointCount);
        await Task.WhenAll(partitions.Select(p => p.BeginNeighborSearch(plan.Candidates)));
        if (plan.Exact)
        {
            await Task.WhenAll(partitions.Select(async query =>
            {
                for (var owner = 0; owner < partitions.Length; owner++)
                    await query.OfferCandidatesFrom(partitions[owner], layout.Start(owner), layout.Count(owner));
            }));
        }
        else
        {
            // Every partition indexes its own rows; every partition's rows then query every index.
            await Task.WhenAll(partitions.Select(p => p.BuildIndex(plan.Candidates)));
            await Task.WhenAll(partitions.Select(async query =>
            {
                foreach (var owner in partitions) await query.OfferIndexCandidatesFrom(owner);
            }));
        }
        if (plan.Refine)
        {
            await Task.WhenAll(partitions.Select(p => p.BeginRefinement(k)));
            await Task.WhenAll(partitions.Select(async query =>
            {
                for (var owner = 0; owner < partitions.Length; owner++)
                    await query.RefineFrom(partitions[owner], layout.Start(owner), layout.Count(owner));
            }));
        }
        await Task.WhenAll(partitions.Select(p => p.EndNeighborSearch()));
        cancel.ThrowIfCancellationRequested();

        SetPhase(TsneRunner.Phases.Affinities);
        await Task.WhenAll(partitions.Select(p => p.SendAffinities(partitions)));
        var entropy = (await Task.WhenAll(partitions.Select(p => p.AssembleAffinities()))).Sum();

        SetPhase(TsneRunner.Phases.Initialization);
        var optimizer = job.State.Checkpoint is { } checkpoint
            ? new TsneOptimizer(PackedFloats.Unpack<float>(checkpoint.Map), pointCount, options, entropy,
                new GradientDescent(pointCount, options.OutputDimensions)
                {
                    Velocity = PackedFloats.Unpack<float>(checkpoint.Velocity),
                    Gains = PackedFloats.Unpack<float>(checkpoint.Gains),
                }, checkpoint.Iteration)
            : new TsneOptimizer((await Task.WhenAll(partitions.Select(p => p.InitialRows(model)))).SelectMany(r => r).ToArray(),
                pointCount, options, entropy);
        kl = job.State.Checkpoint?.KlDivergence;

        while (!optimizer.Finished)
        {
            cancel.ThrowIfCancellationRequested();
            iteration = optimizer.Iteration;
            SetPhase(optimizer.Phase.Name);
            var measure = optimizer.MeasuresKl;
            var map = PackedFloats.From(optimizer.Map);
            currentMap = new TsneMapSnapshot(iteration, options.OutputDimensions, map.Bytes);
            var attraction = Task.WhenAll(partitions.Select(p => p.ComputeAttraction(map, measure)));
            await Task.Run(optimizer.ComputeRepulsion, cancel);
            var forces = await attraction;
            if (measure || bytesPerPartitionIteration == 0)
                bytesPerPartitionIteration = serializer.SerializeToArray(map).Length + serializer.SerializeToArray(forces[0]).Length;
            var measured = await Task.Run(() => optimizer.Apply(forces), cancel);
            if (measured.HasValue)
            {
                kl = measured;
                logger.LogInformation("Job {Job}: iteration {Iteration}/{Total}, KL {Kl:F4}", JobId, iteration, options.TotalIterations, measured);
            }
            if (!optimizer.Finished && optimizer.Iteration % Math.Max(1, spec.CheckpointEvery) == 0)
                await SaveCheckpoint(optimizer);
        }
        iteration = optimizer.Iteration - 1;
        await Task.WhenAll(partitions.Select(p => p.Release()));
        job.State.Map = PackedFloats.Pack<float>(optimizer.Map);
        job.State.KlDivergence = optimizer.KlDivergence;
        await Finish(TsneJobState.Completed, null);
    }

    private async Task SaveCheckpoint(TsneOptimizer optimizer)
    {
        job.State.Checkpoint = new TsneCheckpoint
        {
            Iteration = optimizer.Iteration,
            Map = PackedFloats.Pack<float>(optimizer.Map),
            Velocity = PackedFloats.Pack<float>(optimizer.Descent.Velocity),
            Gains = PackedFloats.Pack<float>(optimizer.Descent.Gains),
            KlDivergence = kl,
        };
        job.State.ElapsedSeconds = Elapsed;
        await job.WriteStateAsync();
        // A running job must outlive the idle-collection of its grain.
        DelayDeactivation(TimeSpan.FromMinutes(30));
    }

    private async Task Finish(TsneJobState state, string? error)
    {
        SetPhase(state.ToString().ToLowerInvariant());
        job.State.State = state;
        job.State.Error = error;
        job.State.Phase = state.ToString().ToLowerInvariant();
        job.State.ElapsedSeconds = Elapsed;
        job.State.Checkpoint = null;
        await job.WriteStateAsync();
        await GrainFactory.GetGrain<ITsneJobRegistryGrain>(0).Unregister(JobId);
        logger.LogInformation("Job {Job} {State} after {Seconds:F1} s{Error}", JobId, state, job.State.ElapsedSeconds, error is null ? "" : ": " + error);
    }

    private async Task<(int Count, int Dimensions)> EnsureEmbedded(string collection, CancellationToken cancel)
    {
        var info = await GrainFactory.GetGrain<ICollectionGrain>(collection).GetInfo();
        var summaries = new List<EmbeddingSummary>();
        for (var shard = 0; shard < info.MembershipShards; shard++)
        {
            cancel.ThrowIfCancellationRequested();
            summaries.Add(await GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(collection, shard)).EnsureEmbedded());
        }
        var failures = summaries.SelectMany(s => s.Failures).ToArray();
        if (failures.Length > 0)
            throw new ArgumentException($"{failures.Length} images of '{collection}' have no embedding, e.g. {string.Join("; ", failures.Take(3))}");
        var dimensions = summaries.Select(s => s.Dimensions).Distinct().ToArray();
        if (dimensions.Length != 1)
            throw new ArgumentException($"The images of '{collection}' have embeddings of different dimensions: {string.Join(", ", dimensions)}.");
        return (summaries.Sum(s => s.Count), dimensions[0]);
    }

    private async Task<int> PartitionCount(TsneJobSpec spec)
    {
        if (spec.Partitions > 0) return spec.Partitions;
        // One partition per core of the cluster. Silos that share an address share that machine's cores: three
        // silos on one two-core machine have two cores between them, and six partitions would only contend.
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var machines = hosts.Keys.Select(silo => silo.Endpoint.Address).Distinct().Count();
        return Math.Max(1, machines * Environment.ProcessorCount);
    }

    private async Task<string[]> PartitionSilos(IPartitionGrain[] partitions)
    {
        var management = GrainFactory.GetGrain<IManagementGrain>(0);
        var silos = new HashSet<string>(StringComparer.Ordinal);
        foreach (var partition in partitions)
            if (await management.GetActivationAddress(partition) is { } address)
                silos.Add(address.ToString());
        return [.. silos.Order(StringComparer.Ordinal)];
    }

    private async Task<string[]> CollectionIds(string collection, int count)
    {
        var ids = new List<string>(count);
        for (var shard = 0; ids.Count < count; shard++)
            ids.AddRange(await GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(collection, shard)).GetIds());
        return [.. ids.Take(count)];
    }

    /// <summary>Enters a phase, adding the time since the last change to the phase being left (for this run).</summary>
    private void SetPhase(string phase)
    {
        if (phase == job.State.Phase) return;
        var now = clock.Elapsed.TotalSeconds;
        if (job.State.Phase.Length > 0)
            phaseSeconds[job.State.Phase] = phaseSeconds.GetValueOrDefault(job.State.Phase) + now - phaseStarted;
        phaseStarted = now;
        job.State.Phase = phase;
    }

    private double Elapsed => elapsedBefore + clock.Elapsed.TotalSeconds;

    private TsneJobStatus Status()
    {
        var state = job.State;
        var total = state.Spec is { } spec ? spec.Parameters.EarlyExaggerationIterations + spec.Parameters.Iterations : 0;
        var running = state.State == TsneJobState.Running;
        return new TsneJobStatus(JobId, state.State, state.Phase, running ? iteration : state.State == TsneJobState.Completed ? total : iteration, total,
            running ? kl : state.State == TsneJobState.Completed ? state.KlDivergence : kl, running ? Elapsed : state.ElapsedSeconds,
            state.PointCount, state.Partitions, state.Checkpoint?.Iteration ?? 0, state.Resumptions, state.Error, partitionSilos,
            bytesPerPartitionIteration, new Dictionary<string, double>(phaseSeconds));
    }

    /// <summary>Failures that a silo leaving the cluster causes, which a fresh set of partitions cures.</summary>
    private static bool IsClusterFailure(Exception e) => e.GetBaseException() switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or PartitionLostException => true,
        _ => false,
    };

    private static bool SameSpec(TsneJobSpec a, TsneJobSpec b) =>
        a.Collection == b.Collection && a.Parameters == b.Parameters && a.Partitions == b.Partitions;
}
