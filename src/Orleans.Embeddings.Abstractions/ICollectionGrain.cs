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
}

/// <summary>Up to <see cref="ICollectionGrain.MembershipShardSize"/> member ids of a collection, keyed "collection/shard".</summary>
public interface ICollectionShardGrain : IGrainWithStringKey
{
    /// <summary>Appends new member ids, in order.</summary>
    Task Add(string[] ids);

    Task<string[]> GetIds();

    /// <summary>Embeds every member that is not yet embedded and reports the outcome, without the rows.</summary>
    Task<EmbeddingSummary> EnsureEmbedded();

    /// <summary>Embeds every member that is not yet embedded (each image grain calls its provider at most once) and returns the rows.</summary>
    Task<EmbeddingBlock> GetEmbeddings();
}
