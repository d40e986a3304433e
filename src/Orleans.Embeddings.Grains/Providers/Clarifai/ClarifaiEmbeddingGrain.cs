using Orleans.Placement;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Remembers the embedding of one content hash so that Clarifai is never paid twice for the same image: not for the
/// same bytes or address under another id, not after a restart. Calls for one hash take turns, so images with the
/// same content that arrive together cost a single input. It activates on the caller's silo, whose batcher then
/// carries the request; a failure is not stored, so the next request tries again.
/// </summary>
[PreferLocalPlacement]
public sealed class ClarifaiEmbeddingGrain(
    [PersistentState("clarifai", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<ClarifaiEmbeddingState> embedding,
    ClarifaiBatcher batcher) : Grain, IClarifaiEmbeddingGrain
{
    public async Task<ClarifaiResult> Embed(ClarifaiImage image)
    {
        var result = embedding.State.VectorBytes is { } stored
            ? new ClarifaiResult(stored, null)
            // Awaited even if the caller has given up waiting: the vector is stored, and its retry is then free.
            : await batcher.Embed(image, CancellationToken.None);
        if (result.VectorBytes is not null && embedding.State.VectorBytes is null)
        {
            embedding.State.VectorBytes = result.VectorBytes;
            await embedding.WriteStateAsync();
        }
        // The image grain keeps its own copy of the vector; this one is only needed again for duplicates, so it
        // leaves memory once it has answered.
        this.DeactivateOnIdle();
        return result;
    }
}
