namespace Orleans.Embeddings;

/// <summary>
/// One image of a collection, keyed "collection/id". It asks its embedding provider for the vector the first time
/// it is needed and keeps it in durable state, so no image is ever embedded (or paid for) twice.
/// </summary>
public interface IImageGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sets the image's source, labels and metadata; an embedded image keeps its embedding if the source is
    /// unchanged. Returns true when the image was not yet known (a new member of its collection).
    /// </summary>
    Task<bool> Describe(string provider, ImageDescription description);

    /// <summary>Fetches the embedding if the image has none (a failed one is retried) and reports the outcome.</summary>
    Task<ImageInfo> EnsureEmbedded();

    Task<float[]?> GetEmbedding();

    /// <summary><see cref="EnsureEmbedded"/> and <see cref="GetEmbedding"/> in one call, with the labels: what a job reads.</summary>
    Task<EmbeddedImage> Embed();

    Task<ImageInfo> GetInfo();

    /// <summary>Whether the image has been described (is a member of its collection).</summary>
    Task<bool> Exists();

    /// <summary>Forgets the image: its description, embedding and thumbnail.</summary>
    Task Delete();
}
