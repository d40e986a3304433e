using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Grains.Images;

/// <summary>
/// One image: asks its collection's embedding provider for the vector once, keeps it in durable state, and never
/// asks again unless the image's source changes. A provider's verdict on this image alone (a bad file) is recorded
/// as a failure and retried on the next request; any other error (an outage) is not recorded and propagates.
/// Images are touched in bulk (an ingestion, a job reading its collection) and then rarely: an idle image leaves
/// memory after two minutes rather than Orleans' default fifteen, and at once after it has handed its embedding to a
/// reader (<see cref="Embed"/>), so a million of them do not stay resident while the job that read them runs: walked
/// by every garbage collection, and by the silo's metrics every second (Orleans sums the pending requests of every
/// activation for the dashboard), which cost the silos of a 250,000-image job a fifth of their time.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class ImageGrain(
    [PersistentState("image", EmbeddingsSiloBuilderExtensions.StorageName)] IPersistentState<ImageState> image,
    IServiceProvider services,
    ILogger<ImageGrain> logger) : Grain, IImageGrain
{
    private (string Collection, string Id) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/');
            return (key[..slash], key[(slash + 1)..]);
        }
    }

    public static string KeyOf(string collection, string id) => $"{collection}/{id}";

    public async Task<bool> Describe(string provider, ImageDescription description)
    {
        var state = image.State;
        var isNew = !image.RecordExists;
        if (!SameSource(state.Source, description.Source) || state.Provider != provider)
        {
            state.Embedding = null;
            state.Thumbnail = null;
            state.Failure = null;
        }
        state.Provider = provider;
        state.Source = description.Source;
        state.Labels = description.Labels;
        state.Metadata = new Dictionary<string, string>(description.Metadata);
        await image.WriteStateAsync();
        return isNew;
    }

    public async Task<ImageInfo> EnsureEmbedded()
    {
        var state = image.State;
        if (state.EmbeddingBytes is null && state.Source is not null)
        {
            var provider = services.GetRequiredKeyedService<IEmbeddingProvider>(state.Provider);
            try
            {
                var embedding = await provider.Embed(state.Source, CancellationToken.None);
                if (embedding.Vector.Length == 0 || !embedding.Vector.All(float.IsFinite))
                    throw new EmbeddingFailedException($"The {provider.Name} provider returned an empty or non-finite vector.");
                state.Embedding = embedding.Vector;
                state.Thumbnail = embedding.Thumbnail;
                state.Failure = null;
            }
            catch (EmbeddingFailedException e)
            {
                logger.LogWarning("Image {Image} has no embedding: {Reason}", this.GetPrimaryKeyString(), e.Message);
                state.Failure = e.Message;
            }
            await image.WriteStateAsync();
        }
        return Info();
    }

    public Task<float[]?> GetEmbedding() => Task.FromResult(image.State.Embedding);

    public async Task<EmbeddedImage> Embed()
    {
        var info = await EnsureEmbedded();
        // The reader (a job's collection shard, an index build, a query) keeps the vector; the state is in storage.
        DeactivateOnIdle();
        return new EmbeddedImage(image.State.Embedding, info.Labels, info.Status == EmbeddingStatus.Embedded ? null : info.Failure ?? "not embedded");
    }

    public Task<ImageInfo> GetInfo() => Task.FromResult(Info());

    public Task<bool> Exists() => Task.FromResult(image.RecordExists);

    public async Task Delete()
    {
        await image.ClearStateAsync();
        DeactivateOnIdle();
    }

    private ImageInfo Info()
    {
        var state = image.State;
        var (collection, id) = Key;
        var status = state.EmbeddingBytes is not null ? EmbeddingStatus.Embedded : state.Failure is not null ? EmbeddingStatus.Failed : EmbeddingStatus.Pending;
        return new ImageInfo(collection, id, state.Source ?? new ImageSource(ImageSourceKind.Inline), state.Labels, state.Metadata,
            status, (state.EmbeddingBytes?.Length ?? 0) / sizeof(float), state.Failure, state.Thumbnail);
    }

    private static bool SameSource(ImageSource? a, ImageSource? b) =>
        a is not null && b is not null && a.Kind == b.Kind && a.Location == b.Location && a.Index == b.Index
        && (a.Bytes ?? []).AsSpan().SequenceEqual(b.Bytes ?? []);
}
