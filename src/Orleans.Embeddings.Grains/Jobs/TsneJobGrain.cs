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
/// Coordinates one t-SNE job. Start records the job and returns; the job then runs inside the grain as
/// <see cref="TsneCoordinator"/> over the job's partition grains (<see cref="PartitionShards"/>), whose steps are
/// polled, so status queries interleave with it and no call outlives Orleans' timeout. The partitions own their rows
/// through the iterations; this grain keeps only the global scalars and O(grid) buffers.
/// Every few iterations each partition checkpoints its rows and this grain records the iteration. If the
/// coordinator's silo dies, the grain is reactivated elsewhere (by the job keeper, or any caller) and resumes; if a
/// partition's silo dies, the run starts again on a new set of partitions. Either way every step before the
/// optimisation is recomputed (it is deterministic, so P comes out the same) and the iterations continue from the
/// checkpoint. Restarts back off, and a job that keeps losing partitions without progress fails with the reason.
/// </summary>
public sealed class TsneJobGrain(
    [PersistentState("job", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<TsneJobRecord> job,
    IClusterMembershipService membership,
    Orleans.Serialization.Serializer serializer,
    ILogger<TsneJobGrain> logger) : Grain, ITsneJobGrain
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>Restarts in a row without a new checkpoint after which a job fails.</summary>
    public const int MaxRestartsWithoutProgress = 6;

    private CancellationTokenSource? cancellation;
    private Task? run;
    private readonly Stopwatch clock = new();
    private double elapsedBefore;
    private int iteration;
    private double? kl;
    private string[] partitionSilos = [];
    private long bytesPerPartitionIteration;
    private long bytesPerSiloIteration;
    private double coordinatorShare;
    private readonly Dictionary<string, double> phaseSeconds = [];
    private PartitionShards? shards;
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

    public async Task<TsneJobResult?> GetResult()
    {
        if (job.State is not { State: TsneJobState.Completed, Spec: { } spec }) return null;
        // Maps finished before the rows were stored per partition are one block in the job's record.
        var map = job.State.Map is { } packed ? PackedFloats.Unpack<float>(packed) : await StoredMap(spec);
        var ids = await CollectionIds(spec.Collection, job.State.PointCount);
        return new TsneJobResult(JobId, ids, spec.Parameters.OutputDimensions, map, job.State.KlDivergence);
    }

    public async Task<TsneMapSnapshot?> GetCurrentMap()
    {
        if (shards is not { } running || job.State.Phase is not (OptimizationPhase.EarlyExaggeration or OptimizationPhase.Normal))
            return null;
        // Gathered from the partitions only when asked: the coordinator holds no copy of the map.
        var at = iteration;
        var pieces = await Task.WhenAll(running.Partitions.Select(p => p.GetPositions(null)));
        var bytes = new byte[pieces.Sum(p => p.ByteCount)];
        var offset = 0;
        foreach (var piece in pieces)
        {
            piece.Bytes.CopyTo(bytes.AsSpan(offset));
            offset += piece.ByteCount;
            piece.Release();
        }
        return new TsneMapSnapshot(at, job.State.Spec!.Parameters.OutputDimensions, bytes);
    }

    /// <summary>The finished map from the partitions' stored pieces, in partition order.</summary>
    private async Task<float[]> StoredMap(TsneJobSpec spec)
    {
        var pieces = await Task.WhenAll(Enumerable.Range(0, job.State.Partitions).Select(p =>
            GrainFactory.GetGrain<IPartitionRowsGrain>(PartitionRowsGrain.Key(JobId, p, PartitionGrain.ResultSlot)).Load()));
        var map = new float[job.State.PointCount * spec.Parameters.OutputDimensions];
        var offset = 0;
        foreach (var piece in pieces)
        {
            var rows = piece ?? throw new InvalidOperationException($"Job '{JobId}' is missing a piece of its map.");
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(rows.Positions);
            floats.CopyTo(map.AsSpan(offset));
            offset += floats.Length;
        }
        return map;
    }

    private void StartRun()
    {
        cancellation = new CancellationTokenSource();
        // Runs in the grain's context; its awaits interleave with status requests.
        run = RunUntilSettled(cancellation.Token);
    }

    private async Task RunUntilSettled(CancellationToken cancel)
    {
        var failuresWithoutProgress = 0;
        var checkpointAtLastFailure = -1;
        while (true)
        {
            try
            {
                await Run(cancel);
                return;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await Release();
                await Finish(TsneJobState.Cancelled, null);
                return;
            }
            catch (Exception e) when (IsClusterFailure(e))
            {
                // A silo left mid-run: rebuild the partitions and continue from the checkpoint, backing off while
                // the cluster settles; a job that cannot get past its checkpoint gives up with the reason.
                var checkpoint = job.State.Checkpoint?.Iteration ?? 0;
                failuresWithoutProgress = checkpoint > checkpointAtLastFailure ? 1 : failuresWithoutProgress + 1;
                checkpointAtLastFailure = checkpoint;
                if (failuresWithoutProgress > MaxRestartsWithoutProgress)
                {
                    logger.LogError(e, "Job {Job} lost partitions {Count} times without progress", JobId, failuresWithoutProgress);
                    await Release();
                    await Finish(TsneJobState.Failed, $"Lost partitions {failuresWithoutProgress} times in a row without passing iteration {checkpoint}: {e.GetBaseException().Message}");
                    return;
                }
                var delay = TimeSpan.FromTicks(Math.Min(LongestRetryDelay.Ticks, FirstRetryDelay.Ticks << (failuresWithoutProgress - 1)));
                logger.LogWarning(e, "Job {Job} lost a partition; resuming from iteration {Iteration} in {Delay}", JobId, checkpoint, delay);
                job.State.Resumptions++;
                await Release();
                await Task.Delay(delay, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Job {Job} failed", JobId);
                await Release();
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

        SetPhase(TsneCoordinator.Phases.Input);
        var (pointCount, dimensions) = await EnsureEmbedded(spec.Collection, cancel);
        TsneValidation.Validate(options, pointCount, dimensions);
        job.State.PointCount = pointCount;
        job.State.Dimensions = dimensions;
        // The partition count is fixed by the first run: the checkpoints are per partition.
        if (job.State.Partitions == 0 || job.State.Checkpoint is null) job.State.Partitions = await PartitionCount(spec);
        var layout = ShardLayout.Split(pointCount, job.State.Partitions);
        job.State.Partitions = layout.ShardCount;
        var epoch = job.State.Epoch;
        var running = shards = new PartitionShards(GrainFactory, membership, JobId, epoch, layout, spec.CheckpointEvery);
        await Task.WhenAll(Enumerable.Range(0, layout.ShardCount).Select(p => running.Load(
            new PartitionAssignment(JobId, spec.Collection, spec.Parameters, p, [.. layout.Starts], dimensions, epoch), cancel)));
        partitionSilos = await PartitionSilos(running.Partitions);

        var resume = job.State.Checkpoint is { } checkpoint ? new TsneResumePoint(checkpoint.Iteration, checkpoint.KlDivergence) : null;
        kl = resume?.KlDivergence;
        iteration = resume?.Iteration ?? 0;
        var coordinator = new TsneCoordinator(running, options, pointCount, dimensions, new JobHooks(this, spec));
        var measured = await coordinator.Run(resume, cancel);
        coordinatorShare = coordinator.CoordinatorShare;
        iteration = options.TotalIterations;
        job.State.KlDivergence = measured;
        job.State.Map = null;
        await Finish(TsneJobState.Completed, null);
        await ClearCheckpoints(layout.ShardCount);
        await Release();
    }

    /// <summary>What the coordinator reports to this grain: phases, iterations, and the checkpoints to record.</summary>
    private sealed class JobHooks(TsneJobGrain grain, TsneJobSpec spec) : ITsneRunHooks
    {
        public void PhaseStarted(string phase) => grain.SetPhase(phase);

        public void Iterated(int iteration, double? klDivergence) => grain.Iterated(iteration, klDivergence);

        public bool ShouldCheckpoint(int iteration) => iteration % Math.Max(1, spec.CheckpointEvery) == 0;

        public Task Checkpointed(int iteration, double? klDivergence) => grain.Checkpointed(iteration, klDivergence);
    }

    private void Iterated(int pass, double? measured)
    {
        // Passes are numbered 0 to the total; the last only measures, so the iterations taken stop at the total.
        var total = job.State.Spec!.Parameters.TotalIterations;
        iteration = Math.Min(pass + 1, total);
        if (shards is { } running && (measured.HasValue || bytesPerPartitionIteration == 0))
            (bytesPerPartitionIteration, bytesPerSiloIteration) = running.MessageBytes(serializer, partitionSilos.Length);
        if (measured is not { } value) return;
        kl = value;
        logger.LogInformation("Job {Job}: iteration {Iteration}/{Total}, KL {Kl:F4}", JobId, iteration, total, value);
    }

    private async Task Checkpointed(int done, double? measured)
    {
        job.State.Checkpoint = new TsneCheckpoint { Iteration = done, KlDivergence = measured };
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

    /// <summary>Lets go of the current run's partitions (and their silos' map replicas).</summary>
    private async Task Release()
    {
        if (shards is not { } released) return;
        shards = null;
        try
        {
            await Task.WhenAll(released.Partitions.Select(p => p.Release()));
        }
        catch (Exception e)
        {
            // Partitions on a dead silo cannot be released; they hold nothing durable.
            logger.LogDebug(e, "Job {Job} could not release every partition", JobId);
        }
    }

    private async Task ClearCheckpoints(int partitions)
    {
        foreach (var slot in new[] { "0", "1" })
            await Task.WhenAll(Enumerable.Range(0, partitions).Select(p =>
                GrainFactory.GetGrain<IPartitionRowsGrain>(PartitionRowsGrain.Key(JobId, p, slot)).Clear()));
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

    private async Task<string[]> PartitionSilos(IReadOnlyList<IPartitionGrain> partitions)
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
        var total = state.Spec?.Parameters.TotalIterations ?? 0;
        var running = state.State == TsneJobState.Running;
        return new TsneJobStatus(JobId, state.State, state.Phase, running ? iteration : state.State == TsneJobState.Completed ? total : iteration, total,
            running ? kl : state.State == TsneJobState.Completed ? state.KlDivergence : kl, running ? Elapsed : state.ElapsedSeconds,
            state.PointCount, state.Partitions, state.Checkpoint?.Iteration ?? 0, state.Resumptions, state.Error, partitionSilos,
            bytesPerPartitionIteration, new Dictionary<string, double>(phaseSeconds))
        {
            BytesPerSiloIteration = bytesPerSiloIteration,
            CoordinatorShare = coordinatorShare,
        };
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
