using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;
using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Runtime;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// Runs a <see cref="TsneShard"/> inside a grain. Its inputs are derived (the embeddings are in image grains, every
/// step before the optimisation is deterministic) and its rows' optimisation state is checkpointed to
/// <see cref="IPartitionRowsGrain"/>, so the grain itself persists nothing: a coordinator that loses a partition
/// rebuilds all of them and they resume from the last checkpoint.
/// Each long step runs as started work (<see cref="StepProgress{T}"/>): the first call starts it, and every call
/// waits for it at most a third of the response timeout. Computing runs on the thread pool, off the grain's turn.
/// Reentrant: other partitions fetch this one's rows while it fetches theirs, and polls join running steps.
/// </summary>
[Reentrant]
[PartitionPlacement]
public sealed class PartitionGrain(IOptions<SiloMessagingOptions> messaging, MapReplicas replicas) : Grain, IPartitionGrain
{
    /// <summary>Largest slice of rows one message carries, so that no message nears Orleans' size limit.</summary>
    internal const int SliceBytes = 16 << 20;

    /// <summary>Finished steps kept for a caller whose answer was lost, so that asking again does not redo them.</summary>
    private const int FinishedStepsKept = 16;

    private readonly TimeSpan pollWindow = TimeSpan.FromTicks(Math.Min(messaging.Value.ResponseTimeout.Ticks / 3, TimeSpan.FromSeconds(10).Ticks));
    private readonly Dictionary<string, Task> steps = [];
    private readonly Queue<string> stepOrder = new();
    private PartitionAssignment? assignment;
    private TsneShard? shard;
    private TsneOptions? options;
    private RandomProjectionForest? forest;
    private int iteration;
    private (int Iteration, PackedFloats Rows)? sentRows;
    private byte[]? sentBlock;
    private readonly List<AffinityEntry[]> received = [];

    public static string Key(string jobId, int epoch, int partition) => $"{jobId}/{epoch}/{partition}";

    // A partition reactivated on another silo after its silo died has lost its rows; the coordinator starts over.
    private TsneShard Shard => shard ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    private PartitionAssignment Assignment => assignment ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    private TsneOptions Options => options ?? throw new PartitionLostException(this.GetPrimaryKeyString());

    public Task<StepProgress<bool>> Load(PartitionAssignment assignment) => Poll("load", async () =>
    {
        this.assignment = assignment;
        options = assignment.Parameters.ToOptions();
        var rows = new float[assignment.Count * assignment.Dimensions];
        var first = assignment.Start / ICollectionGrain.MembershipShardSize;
        var last = (assignment.Start + assignment.Count - 1) / ICollectionGrain.MembershipShardSize;
        for (var m = first; m <= last; m++)
        {
            var block = await GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(assignment.Collection, m)).GetEmbeddings();
            if (block.Failures.Length > 0)
                throw new InvalidOperationException($"Collection '{assignment.Collection}' has images without embeddings: {string.Join("; ", block.Failures.Take(3))}");
            if (block.Dimensions != assignment.Dimensions)
                throw new InvalidOperationException($"Membership shard {m} has {block.Dimensions}-dimensional embeddings; the job expects {assignment.Dimensions}.");
            var blockStart = m * ICollectionGrain.MembershipShardSize;
            var from = Math.Max(assignment.Start, blockStart);
            var to = Math.Min(assignment.Start + assignment.Count, blockStart + block.Ids.Length);
            block.Rows.Slice((from - blockStart) * block.Dimensions, (to - from) * block.Dimensions)
                .CopyTo(rows.AsSpan((from - assignment.Start) * assignment.Dimensions));
        }
        var loaded = options;
        shard = await Task.Run(() => new TsneShard(assignment.Start, rows, assignment.Dimensions, assignment.PointCount, loaded));
        return true;
    });

    public Task<StepProgress<double>> MaxAbsolute() => Compute("max-absolute", s => s.MaxAbsolute());

    public Task<StepProgress<PcaSums>> ComputePcaSums(double maxAbsolute) => Compute("pca-sums", s => s.ComputePcaSums(maxAbsolute));

    public Task<StepProgress<bool>> ApplyPca(PcaModel model, int reduceTo, int searchDimensions) =>
        Compute("apply-pca", s => s.ApplyPca(model, reduceTo, searchDimensions));

    // Every partition of a machine searches at once, so through the neighbour phase each takes its share of the cores
    // (measured at 250,000 points on two silos of two cores: 18.4 s against 23.5 to 24.9 s with two threads each).
    // The iterations keep every thread: there the silo that builds the machine's field has more to do than the others
    // (a million points on two silos of two cores: the iterations 1.39 times the engine's with every thread, 1.68
    // with each partition's share).
    public Task<StepProgress<bool>> BeginNeighborSearch(int candidates) => Poll("begin-neighbors", async () =>
    {
        var loaded = Shard;
        var sharing = await replicas.PartitionsOnThisMachine(Assignment);
        loaded.ShareCores(sharing);
        loaded.BeginNeighborSearch(candidates);
        return true;
    });

    public Task<PackedFloats> GetRows(PartitionRows kind, int offset, int count)
    {
        var (rows, dimensions) = kind == PartitionRows.Search ? (Shard.SearchRows, Shard.SearchDimensions) : (Shard.InputRows, Shard.Dimensions);
        return Task.FromResult(PackedFloats.From(rows.Span.Slice(offset * dimensions, count * dimensions)));
    }

    public Task<StepProgress<bool>> OfferCandidatesFrom(int owner) =>
        WithOwnerRows($"offer/{owner}", owner, PartitionRows.Search, (shard, rows, first) => shard.OfferCandidates(rows, first));

    public Task<StepProgress<bool>> BuildIndex(int k) => Poll("index", async () =>
    {
        var loaded = Shard;
        forest = await Task.Run(() => loaded.BuildForest(k));
        return true;
    });

    public Task<RandomProjectionTree?> GetForestTree(int tree)
    {
        var built = forest ?? throw new PartitionLostException(this.GetPrimaryKeyString());
        return Task.FromResult(tree < built.Trees.Count ? built.Trees[tree] : null);
    }

    // Another owner's rows are fetched whole (the leaves name rows anywhere in them), its trees one at a time; this
    // partition's own forest and rows are used where they are.
    public Task<StepProgress<bool>> OfferIndexCandidatesFrom(int owner) => Poll($"offer-index/{owner}", async () =>
    {
        var loaded = Shard;
        if (owner == Assignment.Index)
        {
            var own = forest ?? throw new PartitionLostException(this.GetPrimaryKeyString());
            await Task.Run(() => loaded.OfferCandidates(own, loaded.SearchRows));
            return true;
        }
        var (start, dimensions) = (Assignment.ShardStarts[owner], loaded.SearchDimensions);
        var rows = new float[Count(owner) * dimensions];
        await foreach (var (offset, slice) in Slices(Partition(owner), PartitionRows.Search, Count(owner), dimensions))
            slice.CopyTo(rows, offset * dimensions);
        for (var t = 0; await Partition(owner).GetForestTree(t) is { } tree; t++)
            await Task.Run(() => loaded.OfferCandidates(tree, rows, start));
        return true;
    });

    public Task<StepProgress<bool>> BeginRefinement(int k) => Compute("begin-refinement", s => s.BeginRefinement(k));

    public Task<StepProgress<bool>> RefineFrom(int owner) =>
        WithOwnerRows($"refine/{owner}", owner, PartitionRows.Input, (shard, rows, first) => shard.RefineWith(rows, first));

    public Task<StepProgress<bool>> EndNeighborSearch() => Compute("end-neighbors", s =>
    {
        s.EndNeighborSearch();
        s.ShareCores(1);
        ReleaseForest();
    });

    public Task<StepProgress<bool>> SendAffinities() => Poll("send-affinities", async () =>
    {
        var layout = ShardLayout.FromStarts(Assignment.ShardStarts);
        var loaded = Shard;
        var outgoing = await Task.Run(() => loaded.CalibrateAffinities(layout));
        var from = Assignment.Index;
        // In slices: at a million points one partition's entries for another are hundreds of megabytes, past the
        // largest message Orleans accepts. The receiver adds them up in any order (Symmetrization).
        var perSlice = SliceBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<AffinityEntry>();
        await Task.WhenAll(outgoing.Select(async (entries, to) =>
        {
            for (var offset = 0; offset < entries.Length; offset += perSlice)
                await Partition(to).ReceiveAffinities(from, AffinityBatch.From(entries.AsSpan(offset, Math.Min(perSlice, entries.Length - offset))));
        }));
        return true;
    });

    public Task ReceiveAffinities(int fromPartition, AffinityBatch entries)
    {
        var batch = entries.ToEntries();
        lock (received) received.Add(batch);
        return Task.CompletedTask;
    }

    public Task<StepProgress<double>> AssembleAffinities() => Poll("assemble-affinities", async () =>
    {
        AffinityEntry[]?[] batches;
        lock (received)
        {
            batches = [.. received];
            received.Clear();
        }
        var loaded = Shard;
        var affinities = await Task.Run(() => loaded.AcceptAffinities(batches));
        return affinities.EntropyTerm;
    });

    public Task<StepProgress<MapBounds>> StartOptimization(PcaModel? model, int? resumeIteration, int slot) => Poll("start-optimization", async () =>
    {
        var loaded = Shard;
        if (resumeIteration is not { } resume)
        {
            iteration = 0;
            return await Task.Run(() => loaded.StartOptimization(model));
        }
        var saved = await RowsGrain(slot.ToString(System.Globalization.CultureInfo.InvariantCulture)).Load();
        if (saved is null || saved.Iteration != resume)
            throw new InvalidOperationException($"Partition {Assignment.Index} of job '{Assignment.JobId}' has no checkpoint of iteration {resume} (slot {slot} holds {saved?.Iteration.ToString() ?? "nothing"}).");
        iteration = resume;
        var dimensions = Options.OutputDimensions;
        return await Task.Run(() => loaded.ResumeOptimization(PackedFloats.Unpack<float>(saved.Positions),
            new GradientDescent(loaded.Count, dimensions, PackedFloats.Unpack<float>(saved.Velocity), PackedFloats.Unpack<float>(saved.Gains))));
    });

    // The attraction needs only the rows, so it starts before the repulsion, which may come from another silo.
    public Task<StepProgress<ShardMeasurement>> Measure(IterationPlan plan) => Poll($"measure/{plan.Iteration}", async () =>
    {
        var loaded = Shard;
        var map = await replicas.Get(Assignment, plan, Options);
        loaded.StartAttraction(plan, map);
        if (await replicas.FieldHolder(Assignment, plan, Options) is not { } holder)
            return await Task.Run(() => loaded.Measure(plan, map));
        // Slices of whole chunks, so that their chunk sums line up with those of one evaluation of all the rows.
        var chunksPerSlice = Math.Max(1, SliceBytes / (Options.OutputDimensions * sizeof(float) * ShardLayout.ChunkRows));
        var rowsPerSlice = chunksPerSlice * ShardLayout.ChunkRows;
        var zChunks = await Task.WhenAll(Enumerable.Range(0, (loaded.Count + rowsPerSlice - 1) / rowsPerSlice).Select(async slice =>
        {
            var offset = slice * rowsPerSlice;
            var evaluated = await holder.EvaluateRepulsion(plan, loaded.Start + offset, Math.Min(rowsPerSlice, loaded.Count - offset));
            loaded.TakeRepulsion(offset, evaluated.Forces.AsSpan());
            evaluated.Forces.Release();
            return evaluated.ZChunks;
        }));
        return new ShardMeasurement([.. zChunks.SelectMany(chunks => chunks)]);
    });

    public Task<StepProgress<ShardStep>> Step(StepPlan plan) => Poll($"step/{plan.Iteration}", async () =>
    {
        var loaded = Shard;
        var step = await Task.Run(() => loaded.Step(plan));
        iteration = plan.Iteration + 1;
        return step;
    });

    public Task<RepulsionSlice> EvaluateRepulsion(IterationPlan plan, int firstRow, int count) =>
        replicas.EvaluateRepulsion(Assignment, plan, Options, firstRow, count);

    public Task<PackedFloats> GetPositions(int? after)
    {
        // While a step runs (a live view of the map) some rows may be one step ahead; that view gets a copy of its own.
        if (after is not { } wanted) return Task.FromResult(PackedFloats.From(Shard.Positions));
        if (wanted != iteration)
            throw new InvalidOperationException($"Partition {Assignment.Index} holds the map after {iteration} steps, not after {wanted}.");
        // Every silo's replica asks once an iteration: the rows are packed once, into the previous iteration's block.
        // That block is free again, since every replica has copied it before any partition steps.
        if (sentRows is not { } sent || sent.Iteration != iteration)
        {
            var positions = MemoryMarshal.AsBytes(Shard.Positions.AsSpan());
            if (sentBlock?.Length != positions.Length) sentBlock = new byte[positions.Length];
            positions.CopyTo(sentBlock);
            sentRows = sent = (iteration, new PackedFloats(sentBlock));
        }
        return Task.FromResult(sent.Rows);
    }

    public Task<StepProgress<bool>> SaveCheckpoint(int after, int slot) => Poll($"checkpoint/{after}", async () =>
    {
        var loaded = Shard;
        if (after != iteration) throw new InvalidOperationException($"Partition {Assignment.Index} is after {iteration} steps, not {after}.");
        await RowsGrain(slot.ToString(System.Globalization.CultureInfo.InvariantCulture)).Save(new PartitionRowsRecord(iteration,
            PackedFloats.Pack<float>(loaded.Positions), PackedFloats.Pack<float>(loaded.Descent.Velocity), PackedFloats.Pack<float>(loaded.Descent.Gains)));
        return true;
    });

    public Task<StepProgress<bool>> SaveResult() => Poll("result", async () =>
    {
        await RowsGrain(ResultSlot).Save(new PartitionRowsRecord(iteration, PackedFloats.Pack<float>(Shard.Positions), [], []));
        return true;
    });

    /// <summary>The slot of a partition's piece of the finished map.</summary>
    public const string ResultSlot = "result";

    public Task Release()
    {
        ReleaseForest();
        if (assignment is { } released) replicas.Release(released.JobId, released.Epoch);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReleaseForest();
        return Task.CompletedTask;
    }

    /// <summary>Starts the step named <paramref name="key"/> unless it is running or done, and waits for it a while.</summary>
    private async Task<StepProgress<T>> Poll<T>(string key, Func<Task<T>> start)
    {
        if (!steps.TryGetValue(key, out var started))
        {
            steps[key] = started = start();
            stepOrder.Enqueue(key);
            while (stepOrder.Count > FinishedStepsKept && steps[stepOrder.Peek()].IsCompleted) steps.Remove(stepOrder.Dequeue());
        }
        var step = (Task<T>)started;
        try
        {
            // WaitAsync drops its timer as soon as the step finishes, as almost every step does within the window.
            return new StepProgress<T>(true, await step.WaitAsync(pollWindow));
        }
        catch (TimeoutException) when (!step.IsCompleted)
        {
            return StepProgress<T>.Running;
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException)
        {
            // A call the step made to another grain failed with the cluster; the caller must not take this for its
            // own call timing out, which it answers by asking again.
            throw new PartitionLostException(this.GetPrimaryKeyString(), e);
        }
    }

    private Task<StepProgress<T>> Compute<T>(string key, Func<TsneShard, T> work) => Poll(key, () =>
    {
        var loaded = Shard;
        return Task.Run(() => work(loaded));
    });

    private Task<StepProgress<bool>> Compute(string key, Action<TsneShard> work) => Compute(key, s =>
    {
        work(s);
        return true;
    });

    /// <summary>Fetches the owner's rows of one kind slice by slice and hands each to this shard with its first global row.</summary>
    private Task<StepProgress<bool>> WithOwnerRows(string key, int owner, PartitionRows kind, Action<TsneShard, float[], int> use) => Poll(key, async () =>
    {
        var loaded = Shard;
        var start = Assignment.ShardStarts[owner];
        var dimensions = kind == PartitionRows.Search ? loaded.SearchDimensions : loaded.Dimensions;
        await foreach (var (offset, rows) in Slices(Partition(owner), kind, Count(owner), dimensions))
            await Task.Run(() => use(loaded, rows, start + offset));
        return true;
    });

    private IPartitionGrain Partition(int index) => GrainFactory.GetGrain<IPartitionGrain>(Key(Assignment.JobId, Assignment.Epoch, index));

    private IPartitionRowsGrain RowsGrain(string slot) => GrainFactory.GetGrain<IPartitionRowsGrain>(PartitionRowsGrain.Key(Assignment.JobId, Assignment.Index, slot));

    private int Count(int partition) => Assignment.ShardStarts[partition + 1] - Assignment.ShardStarts[partition];

    // The forest serves only the neighbour search.
    private void ReleaseForest() => forest = null;

    private static async IAsyncEnumerable<(int Offset, float[] Rows)> Slices(IPartitionGrain other, PartitionRows kind, int count, int dimensions)
    {
        var rowsPerSlice = Math.Max(1, SliceBytes / (dimensions * sizeof(float)));
        for (var offset = 0; offset < count; offset += rowsPerSlice)
        {
            var slice = await other.GetRows(kind, offset, Math.Min(rowsPerSlice, count - offset));
            var rows = slice.ToArray();
            slice.Release();
            yield return (offset, rows);
        }
    }
}
