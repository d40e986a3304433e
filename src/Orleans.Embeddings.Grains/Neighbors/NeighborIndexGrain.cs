using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Embeddings.Grains.Images;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// One partition of a collection's index (<see cref="INeighborIndexGrain"/>). Reentrant: searches run at once on
/// the thread pool, while whatever changes the partition (taking in members, reading changed images again, saving)
/// takes turns behind one gate. The graph lives in native memory, freed when the grain deactivates.
/// </summary>
[Reentrant]
public sealed class NeighborIndexGrain(
    [PersistentState("index", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<IndexPartitionState> state,
    IServiceProvider services,
    IOptions<NeighborIndexOptions> options,
    ILocalSiloDetails silo,
    ILogger<NeighborIndexGrain> logger) : Grain, INeighborIndexGrain
{
    /// <summary>Members embedded and inserted per step while catching up; searches wait for whole steps only.</summary>
    private const int CatchUpStep = 4096;

    /// <summary>Image grains asked at once.</summary>
    private const int Concurrency = 256;

    private static readonly ParallelOptions SearchThreads = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SemaphoreSlim writing = new(1, 1);

    private IndexPartition? partition;

    /// <summary>Members taken in before the first embedding told the dimensions (all without a vector).</summary>
    private readonly List<PartitionRow> beforeDimensions = [];

    private bool loaded;
    private bool dirty;
    private IGrainTimer? saveTimer;

    private string Key => this.GetPrimaryKeyString();

    private int PartitionNumber => int.Parse(Key[(Key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Members taken in, with or without an embedding.</summary>
    private int Rows => partition?.Count ?? beforeDimensions.Count;

    public async Task<NearestMatch[][]> Search(IndexPartitionSpec spec, QueryBlock queries, NearestOptions options)
    {
        await Ready(spec);
        var current = partition;
        if (current is null) return [.. Enumerable.Range(0, queries.Count).Select(_ => Array.Empty<NearestMatch>())];
        if (queries.Dimensions != current.Dimensions)
            throw new ArgumentException($"vector: {queries.Dimensions} values where collection '{spec.Collection}' has {current.Dimensions} dimensions.", nameof(queries));
        var limit = options.Members > 0 ? options.Members - spec.Start : int.MaxValue;
        var values = queries.ToFloats();
        return await Task.Run(() => current.Search(values, queries.Exclude, options, limit, SearchThreads));
    }

    public async Task<IndexPartitionInfo> Describe(IndexPartitionSpec spec, bool build)
    {
        if (build) await Ready(spec);
        var current = partition;
        return new IndexPartitionInfo(PartitionNumber, spec.Start, Rows, current?.Vectors ?? 0, current?.Dimensions ?? 0,
            current?.MemoryBytes ?? 0, state.State.Snapshot?.Rows ?? 0, silo.SiloAddress.ToString(), loaded);
    }

    public async Task<QueryBlock> GetRows(IndexPartitionSpec spec, int from, int count)
    {
        await Ready(spec);
        var current = partition;
        if (current is null) return new QueryBlock([], 0, []);
        var end = Math.Min(current.Count, from + count);
        var vectors = new float[Math.Max(0, end - from) * current.Dimensions];
        var ids = new List<string?>();
        for (var key = Math.Max(0, from); key < end; key++)
            if (current.TryGetVector(key, vectors.AsSpan(ids.Count * current.Dimensions, current.Dimensions)))
                ids.Add(current.IdOf(key));
        return QueryBlock.From(vectors.AsSpan(0, ids.Count * current.Dimensions), current.Dimensions, [.. ids]);
    }

    public Task Follow(IndexPartitionSpec spec)
    {
        _ = FollowInBackground(spec);
        return Task.CompletedTask;
    }

    public async Task Refresh(string[] ids)
    {
        // Only ids this partition holds matter, but before it is loaded it cannot tell which those are.
        var current = partition;
        var mine = current is null ? ids : ids.Where(id => current.KeyOf(id) >= 0);
        var added = false;
        foreach (var id in mine) added |= state.State.Stale.Add(id);
        if (added) await WriteState();
    }

    public async Task Clear()
    {
        await gate.WaitAsync();
        try
        {
            saveTimer?.Dispose();
            saveTimer = null;
            var store = Store();
            for (var slot = 0; slot < 2; slot++) await store.Clear(slot, state.State.ETags(slot));
            partition?.Dispose();
            partition = null;
            beforeDimensions.Clear();
            (loaded, dirty) = (false, false);
            await writing.WaitAsync();
            try
            {
                await state.ClearStateAsync();
            }
            finally
            {
                writing.Release();
            }
        }
        finally
        {
            gate.Release();
        }
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        saveTimer?.Dispose();
        if (dirty)
        {
            try
            {
                await SaveSnapshot();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Index partition {Partition} was not saved on deactivation; it is rebuilt from the stored embeddings.", Key);
            }
        }
        partition?.Dispose();
        partition = null;
    }

    private async Task FollowInBackground(IndexPartitionSpec spec)
    {
        try
        {
            await Ready(spec);
        }
        catch (Exception e)
        {
            // The next search catches up again and reports whatever still fails.
            logger.LogWarning(e, "Index partition {Partition} could not take in new members.", Key);
        }
    }

    /// <summary>Loads the partition, takes in the spec's members and reads changed images again, unless all is done.</summary>
    private async Task Ready(IndexPartitionSpec spec)
    {
        if (loaded && Rows >= spec.Rows && state.State.Stale.Count == 0) return;
        await gate.WaitAsync();
        try
        {
            if (!loaded) await Load(spec);
            await CatchUp(spec);
            await ReadStale(spec);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task Load(IndexPartitionSpec spec)
    {
        if (options.Value.SaveSnapshots && state.State.Snapshot is { } snapshot
            && snapshot.Connectivity == spec.Connectivity && snapshot.ExpansionAdd == spec.ExpansionAdd && snapshot.Storage == spec.Storage
            && (spec.Dimensions == 0 || snapshot.Dimensions == spec.Dimensions))
        {
            var path = Path.Combine(Path.GetTempPath(), $"embeddings-index-{Guid.NewGuid():N}.usearch");
            try
            {
                using var rows = new MemoryStream();
                await using (var graph = File.Create(path))
                {
                    var all = new SplitStream(rows, snapshot.RowBytes, graph);
                    await Store().Read(snapshot.Slot, snapshot.Chunks, all);
                }
                rows.Position = 0;
                partition = await Task.Run(() => IndexPartition.Load(rows, path, spec.Metric, snapshot.Dimensions, spec.Connectivity, spec.ExpansionAdd, Storage(spec)));
                logger.LogInformation("Index partition {Partition} loaded {Rows} rows from its snapshot.", Key, partition.Count);
            }
            catch (Exception e) when (e is InvalidDataException or UsearchException or IOException)
            {
                logger.LogWarning(e, "The snapshot of index partition {Partition} could not be read; the partition is rebuilt from the stored embeddings.", Key);
                partition?.Dispose();
                partition = null;
            }
            finally
            {
                File.Delete(path);
            }
        }
        loaded = true;
    }

    /// <summary>Takes in members [Rows, spec.Rows) of the partition's range, a step at a time.</summary>
    private async Task CatchUp(IndexPartitionSpec spec)
    {
        while (Rows < spec.Rows)
        {
            var from = Rows;
            var to = Math.Min(spec.Rows, from + CatchUpStep);
            var ids = await MemberIds(spec.Collection, spec.Start + from, spec.Start + to);
            var images = await Embed(spec.Collection, ids);
            var rows = new PartitionRow[ids.Length];
            for (var i = 0; i < ids.Length; i++) rows[i] = new PartitionRow(ids[i], images[i].Labels, images[i].Vector);
            await Task.Run(() => Append(spec, rows));
            MarkDirty();
        }
    }

    private void Append(IndexPartitionSpec spec, PartitionRow[] rows)
    {
        if (partition is null)
        {
            var dimensions = spec.Dimensions > 0 ? spec.Dimensions : rows.FirstOrDefault(r => r.Vector is not null).Vector?.Length ?? 0;
            if (dimensions == 0)
            {
                beforeDimensions.AddRange(rows);
                return;
            }
            partition = IndexPartition.Create(spec.Metric, dimensions, spec.Connectivity, spec.ExpansionAdd, Storage(spec));
            rows = [.. beforeDimensions, .. rows];
            beforeDimensions.Clear();
        }
        // An embedding of other dimensions (a provider that changed) cannot be searched with the rest.
        var checkedRows = rows.Select(r => r.Vector is { } v && v.Length != partition.Dimensions ? r with { Vector = null } : r).ToArray();
        var threads = options.Value.BuildThreads > 0 ? options.Value.BuildThreads : Environment.ProcessorCount;
        partition.Append(checkedRows, threads);
    }

    /// <summary>Reads the changed images this partition holds again: their new labels and embeddings.</summary>
    private async Task ReadStale(IndexPartitionSpec spec)
    {
        if (state.State.Stale.Count == 0) return;
        var stale = state.State.Stale.ToArray();
        var current = partition;
        var mine = current is null ? [] : stale.Where(id => current.KeyOf(id) >= 0).ToArray();
        if (mine.Length > 0 && current is not null)
        {
            var images = await Embed(spec.Collection, mine);
            await Task.Run(() =>
            {
                for (var i = 0; i < mine.Length; i++)
                {
                    var vector = images[i].Vector is { } v && v.Length == current.Dimensions ? v : null;
                    current.Replace(current.KeyOf(mine[i]), images[i].Labels, vector);
                }
            });
            MarkDirty();
        }
        state.State.Stale.ExceptWith(stale);
        await WriteState();
    }

    private async Task<string[]> MemberIds(string collection, int from, int to)
    {
        var ids = new List<string>(to - from);
        for (var shard = from / ICollectionGrain.MembershipShardSize; shard * ICollectionGrain.MembershipShardSize < to; shard++)
        {
            var members = await GrainFactory.GetGrain<ICollectionShardGrain>(CollectionGrain.ShardKey(collection, shard)).GetIds();
            var first = shard * ICollectionGrain.MembershipShardSize;
            var start = Math.Max(from, first) - first;
            var end = Math.Min(to, first + members.Length) - first;
            if (end < Math.Min(to, first + ICollectionGrain.MembershipShardSize) - first)
                throw new InvalidOperationException($"collection: membership shard {shard} of '{collection}' holds {members.Length} ids, fewer than the collection counts.");
            ids.AddRange(members[start..end]);
        }
        return [.. ids];
    }

    /// <summary>Each image's embedding and labels, from its grain (which asks its provider only if it has never been embedded).</summary>
    private async Task<EmbeddedImage[]> Embed(string collection, string[] ids)
    {
        var images = new EmbeddedImage[ids.Length];
        for (var first = 0; first < ids.Length; first += Concurrency)
        {
            var batch = await Task.WhenAll(ids.Skip(first).Take(Concurrency)
                .Select(id => GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(collection, id)).Embed()));
            batch.CopyTo(images, first);
        }
        return images;
    }

    private void MarkDirty()
    {
        dirty = true;
        if (!options.Value.SaveSnapshots || saveTimer is not null) return;
        saveTimer = this.RegisterGrainTimer(async () =>
        {
            saveTimer?.Dispose();
            saveTimer = null;
            try
            {
                await gate.WaitAsync();
                try
                {
                    await SaveSnapshot();
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Index partition {Partition} could not be saved; it is saved again after its next change.", Key);
            }
        }, new GrainTimerCreationOptions(options.Value.SaveDelay, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>Writes the partition into the slot not in use, then points the state at it. Callers hold the gate (or deactivate).</summary>
    private async Task SaveSnapshot()
    {
        var current = partition;
        if (!dirty || current is null || !options.Value.SaveSnapshots) return;
        var slot = state.State.Snapshot is { } previous ? 1 - previous.Slot : 0;
        var path = Path.Combine(Path.GetTempPath(), $"embeddings-index-{Guid.NewGuid():N}.usearch");
        try
        {
            using var rows = new MemoryStream();
            await Task.Run(() =>
            {
                current.SaveRows(rows);
                current.Graph.Save(path);
            });
            var rowCount = current.Count;
            long total;
            int chunks;
            await using (var graph = File.OpenRead(path))
            {
                rows.Position = 0;
                total = rows.Length + graph.Length;
                await using var all = new ConcatenatedStream(rows, graph);
                chunks = await Store().Write(slot, all, state.State.ETags(slot));
            }
            state.State.Snapshot = new IndexSnapshot(slot, rowCount, chunks, rows.Length, total, current.Dimensions,
                current.Graph.Connectivity, current.Graph.ExpansionAdd, DateTime.UtcNow,
                current.Graph.Storage == HnswStorage.Float16 ? NeighborStorage.Float16 : NeighborStorage.Float32);
            await WriteState();
            dirty = false;
            logger.LogInformation("Index partition {Partition} saved {Rows} rows ({Bytes} bytes in {Chunks} chunks).", Key, rowCount, total, chunks);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static HnswStorage Storage(IndexPartitionSpec spec) => spec.Storage == NeighborStorage.Float16 ? HnswStorage.Float16 : HnswStorage.Float32;

    private SnapshotStore Store() =>
        new(services.GetRequiredKeyedService<IGrainStorage>(EmbeddingsSiloBuilderExtensions.StorageName), Key);

    /// <summary>Grain state writes from interleaved calls take turns.</summary>
    private async Task WriteState()
    {
        await writing.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            writing.Release();
        }
    }
}
