namespace Orleans.Embeddings.Grains.Providers;

/// <summary>An image's embedding and, where the provider can make one, a small thumbnail (PNG).</summary>
public sealed record Embedding(float[] Vector, byte[]? Thumbnail);

/// <summary>
/// Turns an image source into its embedding. Image grains call a provider at most once per image; providers are
/// registered as keyed singletons under their <see cref="Name"/>, which collections refer to.
/// </summary>
public interface IEmbeddingProvider
{
    string Name { get; }

    /// <summary>The embedding, or an <see cref="EmbeddingFailedException"/> that says why this image has none.</summary>
    Task<Embedding> Embed(ImageSource source, CancellationToken cancellation);
}

/// <summary>The provider could not embed this one image (bad file, unsupported source); other images are unaffected.</summary>
public sealed class EmbeddingFailedException(string message, Exception? inner = null) : Exception(message, inner);
