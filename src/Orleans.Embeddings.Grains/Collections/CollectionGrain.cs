using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Grains.Collections;
using Orleans.Embeddings.Grains.Images;
using Orleans.Embeddings.Grains.Neighbors;
using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Grains;

/// <summary>
/// A collection's settings and size. New members are appended to membership shards of
/// <see cref="ICollectionGrain.MembershipShardSize"/> ids, so member i lives in shard i / MembershipShardSize
/// and the collection's order is stable: the order t-SNE jobs number their points in.
/// </summary>
/// <remarks>
/// Whether an id is new is the image grain's answer (it has a record or not), so an image grain must never keep a
/// record for an id that is not a member: a batch that fails part-way deletes the images it created, and a
/// deleted collection deletes its images.
/// </remarks>
public sealed class CollectionGrain(
    [PersistentState("collection", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<CollectionState> collection,
    IServiceProvider services,
    IOptions<NeighborIndexOptions> indexOptions) : Grain, ICollectionGrain
{
    /// <summary>Image grains described at once while adding.</summary>
    private const int Concurrency = 256;

    public static string ShardKey(string collection, int shard) => $"{collection}/{shard}";

    private string Name => this.GetPrimaryKeyString();

    private ICollectionRegistryGrain Registry => GrainFactory.GetGrain<ICollectionRegistryGrain>(0);

    private int ShardCount => (collection.State.Count + ICollectionGrain.MembershipShardSize - 1) / ICollectionGrain.MembershipShardSize;

    private ICollectionShardGrain Shard(int shard) => GrainFactory.GetGrain<ICollectionShardGrain>(ShardKey(Name, shard));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Collections created before the registry existed join it the first time they wake.
        if (collection.State.Spec is not null && !collection.State.Listed)
        {
            await Registry.Register(Name);
            collection.State.Listed = true;
            await collection.WriteStateAsync();
        }
    }

    public async Task<CollectionInfo> Create(CollectionSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Provider))
            throw new ArgumentException("provider: required, the name of an embedding provider.", nameof(spec));
        if (services.GetKeyedService<IEmbeddingProvider>(spec.Provider) is null)
            throw new ArgumentException($"provider: '{spec.Provider}' is not an embedding provider of this cluster.", nameof(spec));
        if (spec.Dimensions < 0)
            throw new ArgumentException($"dimensions: {spec.Dimensions} must be positive, or 0 to take them from the first embedding.", nameof(spec));
        ThrowIfDeleting();
        if (collection.State.Spec is { } existing)
        {
            if (existing != spec)
                throw new InvalidOperationException($"Collection '{Name}' exists with provider {existing.Provider} and {existing.Dimensions} dimensions.");
            return Info();
        }
        // Listed before it exists: a listed name whose collection does not exist is skipped by readers, while an
        // existing collection missing from the list would be invisible.
        await Registry.Register(Name);
        collection.State.Spec = spec;
        collection.State.Listed = true;
        await collection.WriteStateAsync();
        return Info();
    }

    public Task<CollectionInfo> GetInfo() => Task.FromResult(Info());

    public async Task<int> Add(ImageDescription[] images)
    {
        var spec = RequireSpec();
        var (added, _) = await Commit(spec, images.DistinctBy(i => i.Id).ToArray());
        return added;
    }

    public async Task<IngestOutcome> Ingest(ImageDescription[] images)
    {
        var spec = RequireSpec();
        var rejected = new List<ItemRejection>();
        var accepted = new List<ImageDescription>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dimensions = spec.Dimensions > 0 ? spec.Dimensions : collection.State.Dimensions;
        for (var i = 0; i < images.Length; i++)
        {
            var image = images[i];
            if (Reject(image, seen, ref dimensions) is { } reason)
                rejected.Add(new ItemRejection(i, image.Id, reason));
            else
                accepted.Add(image);
        }
        if (accepted.Count == 0) return new IngestOutcome(0, 0, [.. rejected]);

        var learned = spec.Dimensions == 0 && collection.State.Dimensions == 0 && dimensions > 0;
        if (learned) collection.State.Dimensions = dimensions;
        try
        {
            var (added, updated) = await Commit(spec, [.. accepted]);
            return new IngestOutcome(added, updated, [.. rejected]);
        }
        catch
        {
            if (learned) collection.State.Dimensions = 0;
            throw;
        }
    }

    public async Task<EmbeddingStates> CountEmbeddings()
    {
        RequireSpec();
        var total = EmbeddingStates.None;
        for (var shard = 0; shard < ShardCount; shard++)
            total = total.Add(await Shard(shard).CountEmbeddings());
        return total;
    }

    public async Task<SearchLayout> GetSearchLayout(NeighborMetric metric)
    {
        if (collection.State.Spec is null || collection.State.Deleting)
            throw new KeyNotFoundException($"collection: '{Name}' does not exist.");
        var state = collection.State;
        var changed = state.Index is null || state.IndexKey is null;
        state.Index ??= indexOptions.Value.Defaults;
        state.IndexKey ??= NewIndexKey();
        changed |= state.IndexedMetrics.Add(metric);
        if (changed) await collection.WriteStateAsync();
        return Layout();
    }

    public async Task<SearchLayout> ConfigureIndex(NeighborIndexSettings settings)
    {
        RequireSpec();
        CheckIndexSettings(settings);
        var state = collection.State;
        var current = Settled(state.Index ?? indexOptions.Value.Defaults);
        var wanted = new NeighborIndexSettings(
            settings.PartitionSize > 0 ? settings.PartitionSize : current.PartitionSize,
            settings.Connectivity > 0 ? settings.Connectivity : current.Connectivity,
            settings.ExpansionAdd > 0 ? settings.ExpansionAdd : current.ExpansionAdd,
            settings.DefaultEf > 0 ? settings.DefaultEf : current.DefaultEf,
            settings.Storage != NeighborStorage.Unspecified ? settings.Storage : current.Storage);
        if (state.Index is not null && state.IndexKey is not null && wanted with { DefaultEf = 0 } != current with { DefaultEf = 0 })
        {
            // The graphs were built with other settings: the next search builds new ones under a new key.
            await ClearIndexes();
            state.IndexKey = NewIndexKey();
        }
        state.Index = wanted;
        state.IndexKey ??= NewIndexKey();
        await collection.WriteStateAsync();
        return Layout();
    }

    public async Task<int> Delete()
    {
        if (collection.State.Spec is null && !collection.State.Deleting)
            throw new KeyNotFoundException($"Collection '{Name}' does not exist.");
        if (!collection.State.Deleting)
        {
            collection.State.Deleting = true;
            await collection.WriteStateAsync();
        }
        await ClearIndexes();
        var deleted = 0;
        // Last shard first: an interrupted delete leaves a prefix of the members, which a second delete finishes.
        for (var shard = ShardCount - 1; shard >= 0; shard--)
        {
            deleted += await Shard(shard).Clear();
            collection.State.Count = shard * ICollectionGrain.MembershipShardSize;
        }
        await Registry.Unregister(Name);
        await collection.ClearStateAsync();
        DeactivateOnIdle();
        return deleted;
    }

    /// <summary>Why an image of an ingested batch cannot be taken, or null; learns the dimensions from the first vector.</summary>
    private static string? Reject(ImageDescription image, HashSet<string> seen, ref int dimensions)
    {
        if (string.IsNullOrEmpty(image.Id)) return "id: required";
        if (!seen.Add(image.Id)) return $"id: '{image.Id}' appears earlier in the same batch";
        if (image.Source.Kind != ImageSourceKind.Vector) return null;
        var bytes = image.Source.Bytes ?? [];
        if (bytes.Length == 0 || bytes.Length % sizeof(float) != 0) return "vector: empty";
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return $"vector: value {i} is {values[i]}, not a finite number";
        if (dimensions > 0 && values.Length != dimensions)
            return $"vector: {values.Length} values where the collection has {dimensions} dimensions";
        dimensions = values.Length;
        return null;
    }

    /// <summary>
    /// Describes the images and appends the new ones to the membership. On failure the images this call created
    /// are deleted again, so that nothing of the batch remains but updates of existing images.
    /// </summary>
    private async Task<(int Added, int Updated)> Commit(CollectionSpec spec, ImageDescription[] images)
    {
        ThrowIfDeleting();
        var fresh = new List<string>();
        var updated = new List<string>();
        try
        {
            foreach (var batch in images.Chunk(Concurrency))
            {
                var calls = batch.Select(i => GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(Name, i.Id)).Describe(spec.Provider, i)).ToArray();
                try
                {
                    await Task.WhenAll(calls);
                }
                finally
                {
                    for (var at = 0; at < batch.Length; at++)
                        if (calls[at].IsCompletedSuccessfully)
                        {
                            if (calls[at].Result) fresh.Add(batch[at].Id);
                            else updated.Add(batch[at].Id);
                        }
                }
            }
            await Append(fresh);
        }
        catch
        {
            await Task.WhenAll(fresh.Select(id => GrainFactory.GetGrain<IImageGrain>(ImageGrain.KeyOf(Name, id)).Delete()));
            throw;
        }
        // An updated image may have a new source and so a new embedding: searches must not keep the old one.
        if (updated.Count > 0)
        {
            await Task.WhenAll(Enumerable.Range(0, ShardCount).Select(s => Shard(s).Invalidate()));
            await RefreshIndexes([.. updated]);
        }
        return (fresh.Count, updated.Count);
    }

    /// <summary>
    /// Fills the last shard, then opens new ones; the count is written once every shard has its ids. If that fails,
    /// the shards are cut back to the old count.
    /// </summary>
    private async Task Append(List<string> fresh)
    {
        var start = collection.State.Count;
        var position = start;
        try
        {
            var added = 0;
            while (added < fresh.Count)
            {
                var shard = position / ICollectionGrain.MembershipShardSize;
                var offset = position % ICollectionGrain.MembershipShardSize;
                var ids = fresh.Skip(added).Take(ICollectionGrain.MembershipShardSize - offset).ToArray();
                await Shard(shard).Add(offset, ids);
                added += ids.Length;
                position += ids.Length;
            }
            collection.State.Count = position;
            await collection.WriteStateAsync();
            FollowIndexes(start);
        }
        catch
        {
            collection.State.Count = start;
            var first = start / ICollectionGrain.MembershipShardSize;
            var last = (start + fresh.Count - 1) / ICollectionGrain.MembershipShardSize;
            for (var shard = first; shard <= last; shard++)
            {
                try
                {
                    await Shard(shard).Add(shard == first ? start % ICollectionGrain.MembershipShardSize : 0, []);
                }
                catch
                {
                    // The next append rewrites the shard from the same position anyway.
                }
            }
            throw;
        }
    }

    private CollectionSpec RequireSpec()
    {
        ThrowIfDeleting();
        return collection.State.Spec ?? throw new KeyNotFoundException($"Collection '{Name}' does not exist.");
    }

    private void ThrowIfDeleting()
    {
        if (collection.State.Deleting)
            throw new InvalidOperationException($"Collection '{Name}' is being deleted; delete it again to finish.");
    }

    private static string NewIndexKey() => Guid.NewGuid().ToString("N")[..12];

    private static void CheckIndexSettings(NeighborIndexSettings settings)
    {
        static void Check(int value, int max, string field)
        {
            if (value < 0 || value > max) throw new ArgumentException($"{field}: {value} is outside 1 to {max} (0 keeps the current value).");
        }
        Check(settings.PartitionSize, 1 << 30, "partition_size");
        Check(settings.Connectivity, 256, "connectivity");
        Check(settings.ExpansionAdd, 4096, "expansion_add");
        Check(settings.DefaultEf, 10_000, "default_ef");
        if (settings.Connectivity == 1) throw new ArgumentException("connectivity: 1 is too few links; at least 2.");
        if (!Enum.IsDefined(settings.Storage)) throw new ArgumentException($"storage: {(int)settings.Storage} is not a storage.");
    }

    private SearchLayout Layout()
    {
        var state = collection.State;
        var info = Info();
        return new SearchLayout(Name, info.Dimensions, state.Count, state.IndexKey ?? "", Settled(state.Index ?? indexOptions.Value.Defaults));
    }

    /// <summary>Settings stored before the storage was a setting meant float32.</summary>
    private static NeighborIndexSettings Settled(NeighborIndexSettings settings) =>
        settings.Storage == NeighborStorage.Unspecified ? settings with { Storage = NeighborStorage.Float32 } : settings;

    /// <summary>The index partitions of every metric searched so far: those of the current members.</summary>
    private IEnumerable<(INeighborIndexGrain Grain, IndexPartitionSpec Spec)> IndexPartitions(int fromMember = 0)
    {
        if (collection.State.Index is null || collection.State.IndexKey is null) yield break;
        var layout = Layout();
        foreach (var metric in collection.State.IndexedMetrics)
            for (var p = fromMember / layout.Settings.PartitionSize; p < layout.Partitions; p++)
                yield return (GrainFactory.GetGrain<INeighborIndexGrain>(layout.PartitionKey(metric, p)), layout.Partition(metric, p));
    }

    /// <summary>Tells the partitions that members from <paramref name="firstNew"/> on were added; they take them in on their own.</summary>
    private void FollowIndexes(int firstNew)
    {
        foreach (var (partition, spec) in IndexPartitions(firstNew)) _ = partition.Follow(spec);
    }

    private Task RefreshIndexes(string[] ids) => Task.WhenAll(IndexPartitions().Select(p => p.Grain.Refresh(ids)));

    private async Task ClearIndexes()
    {
        await Task.WhenAll(IndexPartitions().Select(p => p.Grain.Clear()));
        collection.State.IndexedMetrics.Clear();
    }

    private CollectionInfo Info()
    {
        var state = collection.State;
        var dimensions = state.Spec is { Dimensions: > 0 } spec ? spec.Dimensions : state.Dimensions;
        return new CollectionInfo(Name, state.Spec?.Provider ?? "", dimensions, state.Count, ShardCount, state.Spec is not null);
    }
}
