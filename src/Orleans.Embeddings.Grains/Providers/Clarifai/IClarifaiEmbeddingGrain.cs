namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// The Clarifai embedding of one piece of content, keyed "user/app/model/version/kind-sha256"
/// (<see cref="ClarifaiImage.ContentKey"/>): every image with the same bytes or address shares it.
/// </summary>
public interface IClarifaiEmbeddingGrain : IGrainWithStringKey
{
    /// <summary>The stored embedding, or one fetched now through this silo's batcher and stored.</summary>
    Task<ClarifaiResult> Embed(ClarifaiImage image);
}
