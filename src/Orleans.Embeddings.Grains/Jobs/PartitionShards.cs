using Orleans.Embeddings.Grains.Partitions;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Runtime;

namespace Orleans.Embeddings.Grains.Jobs;

/// <summary>
/// The shards of a job as partition grains, for <see cref="TsneCoordinator"/>. Every step is polled until it is done
/// (<see cref="StepProgress{T}"/>), so a step may take any time without a call outliving the response timeout. A call
/// that times out anyway is asked again while the partition's silo is an active member of the cluster: a slow
/// partition is not a lost one. Only a silo the membership declared dead, a partition that answers it lost its rows,
/// or one that leaves <see cref="MaxTimeoutsInARow"/> calls unanswered, fails the run (with
/// <see cref="PartitionLostException"/>), which the job grain resumes from its checkpoint.
/// </summary>
public sealed class PartitionShards(
    IGrainFactory grains, IClusterMembershipService membership, string jobId, int epoch, ShardLayout layout, int checkpointEvery) : ITsneShards
{
    /// <summary>
    /// Timed-out calls in a row after which a partition on a live silo counts as lost. A polled step answers within a
    /// third of the response timeout, so only a partition that is stuck (not merely slow) leaves this many unanswered;
    /// its run then restarts from the checkpoint, and the job's cap on restarts bounds the whole.
    /// </summary>
    public const int MaxTimeoutsInARow = 10;

    private readonly IPartitionGrain[] partitions =
        [.. Enumerable.Range(0, layout.ShardCount).Select(p => grains.GetGrain<IPartitionGrain>(PartitionGrain.Key(jobId, epoch, p)))];

    public ShardLayout Layout => layout;

    public IReadOnlyList<IPartitionGrain> Partitions => partitions;

    /// <summary>The slot a checkpoint of <paramref name="iteration"/> goes to: the two slots alternate.</summary>
    public int SlotOf(int iteration) => iteration / Math.Max(1, checkpointEvery) % 2;

    public Task Load(PartitionAssignment assignment, CancellationToken cancellation) =>
        Until(assignment.Index, p => p.Load(assignment), cancellation);

    public Task<double> MaxAbsolute(int shard, CancellationToken cancellation) => Until(shard, p => p.MaxAbsolute(), cancellation);

    public Task<PcaSums> ComputePcaSums(int shard, double maxAbsolute, CancellationToken cancellation) =>
        Until(shard, p => p.ComputePcaSums(maxAbsolute), cancellation);

    public Task ApplyPca(int shard, PcaModel model, int reduceTo, int searchDimensions, CancellationToken cancellation) =>
        Until(shard, p => p.ApplyPca(model, reduceTo, searchDimensions), cancellation);

    public Task BeginNeighborSearch(int shard, int candidates, CancellationToken cancellation) =>
        Until(shard, p => p.BeginNeighborSearch(candidates), cancellation);

    public Task OfferExactCandidates(int query, int owner, CancellationToken cancellation) =>
        Until(query, p => p.OfferCandidatesFrom(owner), cancellation);

    public Task BuildIndex(int shard, int candidates, CancellationToken cancellation) => Until(shard, p => p.BuildIndex(candidates), cancellation);

    public Task OfferIndexCandidates(int query, int owner, CancellationToken cancellation) =>
        Until(query, p => p.OfferIndexCandidatesFrom(owner), cancellation);

    public Task BeginRefinement(int shard, int k, CancellationToken cancellation) => Until(shard, p => p.BeginRefinement(k), cancellation);

    public Task Refine(int query, int owner, CancellationToken cancellation) => Until(query, p => p.RefineFrom(owner), cancellation);

    public Task EndNeighborSearch(int shard, CancellationToken cancellation) => Until(shard, p => p.EndNeighborSearch(), cancellation);

    public Task SendAffinities(int shard, CancellationToken cancellation) => Until(shard, p => p.SendAffinities(), cancellation);

    public Task<double> AssembleAffinities(int shard, CancellationToken cancellation) => Until(shard, p => p.AssembleAffinities(), cancellation);

    public Task<MapBounds> StartOptimization(int shard, PcaModel? model, int? resumeIteration, CancellationToken cancellation) =>
        Until(shard, p => p.StartOptimization(model, resumeIteration, resumeIteration is { } at ? SlotOf(at) : 0), cancellation);

    public async Task<ShardMeasurement> Measure(int shard, IterationPlan plan, CancellationToken cancellation)
    {
        var measurement = await Until(shard, p => p.Measure(plan), cancellation);
        if (shard == 0) lastIteration = (plan, measurement, lastIteration.Step);
        return measurement;
    }

    public Task<ShardStep> Step(int shard, StepPlan plan, CancellationToken cancellation)
    {
        if (shard == 0) lastIteration = (lastIteration.Plan, lastIteration.Measurement, plan);
        return Until(shard, p => p.Step(plan), cancellation);
    }

    /// <summary>
    /// Bytes one partition moves in an iteration (the plan and Z in, its Z shares and its bounds out, and its rows to
    /// each silo's map replica) and bytes one silo receives for its replica of the map, as Orleans serialises them,
    /// from the last iteration of partition 0.
    /// </summary>
    public (long PerPartition, long PerSilo) MessageBytes(Orleans.Serialization.Serializer serializer, int silos)
    {
        if (lastIteration is not (IterationPlan plan, ShardMeasurement measurement, StepPlan step)) return (0, 0);
        var dimensions = plan.Grid?.Dimensions ?? 2;
        long Rows(int count) => serializer.SerializeToArray(Serialization.PackedFloats.From(new float[count * dimensions])).Length;
        var partition = serializer.SerializeToArray(plan).Length + serializer.SerializeToArray(measurement).Length
            + serializer.SerializeToArray(step).Length + serializer.SerializeToArray(new ShardStep(new MapBounds(new double[dimensions], new double[dimensions]), 0.0)).Length
            + Math.Max(1, silos) * Rows(layout.Count(0));
        var silo = Enumerable.Range(0, layout.ShardCount).Sum(p => Rows(layout.Count(p)));
        return (partition, silo);
    }

    private (IterationPlan? Plan, ShardMeasurement? Measurement, StepPlan? Step) lastIteration;

    public Task SaveCheckpoint(int shard, int iteration, CancellationToken cancellation) =>
        Until(shard, p => p.SaveCheckpoint(iteration, SlotOf(iteration)), cancellation);

    public Task SaveResult(int shard, CancellationToken cancellation) => Until(shard, p => p.SaveResult(), cancellation);

    private async Task<T> Until<T>(int shard, Func<IPartitionGrain, Task<StepProgress<T>>> call, CancellationToken cancellation)
    {
        var partition = partitions[shard];
        var timeoutsInARow = 0;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            StepProgress<T> progress;
            try
            {
                progress = await call(partition);
            }
            catch (TimeoutException timeout)
            {
                if (!await IsOnActiveSilo(partition))
                    throw new PartitionLostException(partition.GetPrimaryKeyString(),
                        new TimeoutException("A call to it timed out and its silo is no longer an active member of the cluster.", timeout));
                if (++timeoutsInARow < MaxTimeoutsInARow) continue;
                throw new PartitionLostException(partition.GetPrimaryKeyString(),
                    new TimeoutException($"It left {timeoutsInARow} calls in a row unanswered on a live silo.", timeout));
            }
            timeoutsInARow = 0;
            if (progress.Done) return progress.Value!;
        }
    }

    private async Task<bool> IsOnActiveSilo(IPartitionGrain partition)
    {
        var silo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(partition);
        return silo is not null && membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Active;
    }
}
