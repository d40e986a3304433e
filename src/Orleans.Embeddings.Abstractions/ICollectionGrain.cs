namespace Orleans.Embeddings;

/// <summary>
/// A collection of images, keyed by its name. It holds the settings and the membership count; the member ids live
/// in membership shards of at most <see cref="MembershipShardSize"/> images each, so that a collection of millions
/// is never one state record.
/// </summary>
public interface ICollectionGrain : IGrainWithStringKey
{
    const int MembershipShardSize = 4096;

    /// <summary>Creates the collection, or checks that an existing one has the same settings.</summary>
    Task<CollectionInfo> Create(CollectionSpec spec);

    Task<CollectionInfo> GetInfo();

    /// <summary>Adds images (ids not yet in the collection) and returns how many were new.</summary>
    Task<int> Add(ImageDescription[] images);

    /// <summary>
    /// Adds or updates a batch of images as a whole: the valid ones are accepted, each invalid one (a vector of
    /// the wrong dimensions, an id repeated within the batch) is refused with a reason. If the batch cannot be
    /// applied, the images it added are removed again before the error propagates.
    /// </summary>
    Task<IngestOutcome> Ingest(ImageDescription[] images);

    /// <summary>Counts the embedded, failed and pending images without embedding any (reads every image's state).</summary>
    [ResponseTimeout("00:05:00")]
    Task<EmbeddingStates> CountEmbeddings();

    /// <summary>
    /// The collection's size, dimensions and index layout, for a search; the index settings are settled (from the
    /// silo's defaults) the first time. Throws <see cref="KeyNotFoundException"/> if the collection does not exist.
    /// </summary>
    /// <param name="metric">The metric about to be searched: the collection keeps that index following its appends.</param>
    Task<SearchLayout> GetSearchLayout(NeighborMetric metric);

    /// <summary>
    /// Changes the index settings (0 keeps a value). A new partition size or graph setting starts a new index,
    /// built on the next search; a new default ef applies at once.
    /// </summary>
    Task<SearchLayout> ConfigureIndex(NeighborIndexSettings settings);

    /// <summary>
    /// Deletes the collection with its membership shards and images, and returns how many images went. A delete
    /// that was interrupted leaves the collection marked as being deleted; calling it again finishes the work.
    /// </summary>
    [ResponseTimeout("00:10:00")]
    Task<int> Delete();
}

/// <summary>Up to <see cref="ICollectionGrain.MembershipShardSize"/> member ids of a collection, keyed "collection/shard".</summary>
public interface ICollectionShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Puts new member ids at <paramref name="position"/> and after, in order, dropping any ids beyond them (the
    /// collection cuts a shard back this way when a batch fails).
    /// </summary>
    Task Add(int position, string[] ids);

    Task<string[]> GetIds();

    /// <summary>Embeds every member that is not yet embedded and reports the outcome, without the rows.</summary>
    Task<EmbeddingSummary> EnsureEmbedded();

    /// <summary>Embeds every member that is not yet embedded (each image grain calls its provider at most once) and returns the rows.</summary>
    Task<EmbeddingBlock> GetEmbeddings();

    /// <summary>Counts the members' embedding states without embedding any.</summary>
    Task<EmbeddingStates> CountEmbeddings();

    /// <summary>Each member's labels, in membership order, without embedding any.</summary>
    Task<string[][]> GetLabels();

    /// <summary>Drops the embeddings kept for jobs, after members changed their source.</summary>
    Task Invalidate();

    /// <summary>Deletes every member image and the shard itself; returns how many images went.</summary>
    [ResponseTimeout("00:05:00")]
    Task<int> Clear();
}
