using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Errors;

namespace Orleans.Embeddings.Gateway.Services;

/// <summary>Collections: create, get, list and delete them, ingest images into them, read one image.</summary>
public sealed class CollectionsService(IGrainFactory grains, IOptions<GatewaySettings> settings) : Collections.CollectionsBase
{
    /// <summary>Trailers of a failed ingest stream: what it had applied before it failed.</summary>
    public const string AcceptedTrailer = "embeddings-accepted";

    public const string ReceivedTrailer = "embeddings-received";

    private const int MaxLabels = 64;

    private const int MaxLabelLength = 200;

    private const int MaxMetadataEntries = 64;

    private const int MaxMetadataLength = 4096;

    public override async Task<Collection> CreateCollection(CreateCollectionRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Name, "name");
        if (string.IsNullOrWhiteSpace(request.Provider))
            throw Problems.Invalid("provider", "required: pixels, vectors, or another embedding provider of the cluster");
        if (request.Dimensions < 0)
            throw Problems.Invalid("dimensions", $"{request.Dimensions} must be positive, or 0 to take them from the first embedding");
        var collection = grains.GetGrain<ICollectionGrain>(name);
        var existing = await collection.GetInfo();
        try
        {
            return ToWire(await collection.Create(new CollectionSpec(request.Provider, request.Dimensions)));
        }
        catch (InvalidOperationException) when (existing.Exists)
        {
            throw Problems.Exists("name", $"collection '{name}' exists with provider {existing.Provider} and {existing.Dimensions} dimensions");
        }
    }

    public override async Task<Collection> GetCollection(GetCollectionRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Name, "name");
        var collection = grains.GetGrain<ICollectionGrain>(name);
        var info = await RequireCollection(collection, name, "name");
        var counts = await collection.CountEmbeddings();
        var wire = ToWire(info);
        if (wire.Dimensions == 0) wire.Dimensions = counts.Dimensions;
        wire.Embeddings = new EmbeddingCounts { Embedded = counts.Embedded, Failed = counts.Failed, Pending = counts.Pending, Failures = { counts.Failures } };
        return wire;
    }

    public override async Task<ListCollectionsResponse> ListCollections(ListCollectionsRequest request, ServerCallContext context)
    {
        var names = await grains.GetGrain<ICollectionRegistryGrain>(0).GetAll();
        var infos = await Task.WhenAll(names.Select(name => grains.GetGrain<ICollectionGrain>(name).GetInfo()));
        return new ListCollectionsResponse { Collections = { infos.Where(i => i.Exists).Select(ToWire) } };
    }

    public override async Task<DeleteCollectionResponse> DeleteCollection(DeleteCollectionRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Name, "name");
        var collection = grains.GetGrain<ICollectionGrain>(name);
        await RequireCollection(collection, name, "name");
        var registry = grains.GetGrain<ITsneJobRegistryGrain>(0);
        var collections = await registry.GetCollections();
        foreach (var job in await registry.GetRunning())
            if (collections.GetValueOrDefault(job) == name)
                throw Problems.Precondition("name", $"job '{job}' is mapping collection '{name}'; cancel it or let it finish first");
        return new DeleteCollectionResponse { DeletedImages = await collection.Delete() };
    }

    public override async Task<IngestResponse> Ingest(IAsyncStreamReader<IngestRequest> requestStream, ServerCallContext context)
    {
        var limits = settings.Value;
        var response = new IngestResponse();
        var applied = 0;
        string? name = null;
        ICollectionGrain? collection = null;
        CollectionInfo? info = null;
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var message = requestStream.Current;
                if (name is null)
                {
                    name = Require.Name(message.Collection, "collection");
                    collection = grains.GetGrain<ICollectionGrain>(name);
                    info = await RequireCollection(collection, name, "collection");
                }
                else if (message.Collection.Length > 0 && message.Collection != name)
                {
                    throw Problems.Invalid("collection", $"the stream started with '{name}' and cannot switch to '{message.Collection}'");
                }
                if (message.Items.Count > limits.MaxIngestBatch)
                    throw Problems.Invalid("items", $"{message.Items.Count} items in one message; at most {limits.MaxIngestBatch}");

                var first = response.Received;
                var batch = new List<ImageDescription>(message.Items.Count);
                var positions = new List<int>(message.Items.Count);
                for (var i = 0; i < message.Items.Count; i++)
                {
                    var item = message.Items[i];
                    if (Check(item, info!) is { } reason)
                        response.Rejections.Add(new Rejection { Index = first + i, Id = item.Id, Reason = reason });
                    else
                    {
                        batch.Add(Describe(item));
                        positions.Add(first + i);
                    }
                }
                response.Received += message.Items.Count;
                if (batch.Count > 0)
                {
                    var outcome = await collection!.Ingest([.. batch]);
                    response.Added += outcome.Added;
                    response.Updated += outcome.Updated;
                    response.Rejections.Add(outcome.Rejected.Select(r => new Rejection { Index = positions[r.Index], Id = r.Id, Reason = r.Reason }));
                    if (info!.Dimensions == 0) info = await collection.GetInfo();
                }
                response.Accepted = response.Added + response.Updated;
                applied = response.Received;
            }
        }
        catch (Exception e)
        {
            context.ResponseTrailers.Add(AcceptedTrailer, response.Accepted.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.ResponseTrailers.Add(ReceivedTrailer, applied.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var suffix = applied == 0 ? "" : $" (the stream had applied {applied} items, {response.Accepted} of them accepted, before it failed; nothing after them was ingested)";
            if (e is RpcException { StatusCode: StatusCode.ResourceExhausted })
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"message: larger than the gateway's limit of {limits.MaxMessageBytes} bytes ({GatewaySettings.Section}:MaxMessageBytes){suffix}"));
            if (e is RpcException rpc)
                throw new RpcException(new Status(rpc.StatusCode, rpc.Status.Detail + suffix));
            var (code, detail) = GrainErrorInterceptor.Classify(e, context);
            throw new RpcException(new Status(code, detail + suffix));
        }
        if (name is null) throw Problems.Invalid("collection", "the stream carried no message");
        return response;
    }

    public override async Task<Image> GetImage(GetImageRequest request, ServerCallContext context)
    {
        var name = Require.Name(request.Collection, "collection");
        var id = Require.Id(request.Id, "id");
        await RequireCollection(grains.GetGrain<ICollectionGrain>(name), name, "collection");
        // Image grains are keyed "collection/id" (IImageGrain).
        var image = grains.GetGrain<IImageGrain>($"{name}/{id}");
        if (!await image.Exists()) throw Problems.NotFound("id", $"image '{id}' is not in collection '{name}'");
        float[]? embedding = null;
        if (request.IncludeEmbedding) embedding = (await image.Embed()).Vector;
        var info = await image.GetInfo();
        var wire = new Image
        {
            Collection = name,
            Id = id,
            Labels = { info.Labels },
            Metadata = { info.Metadata.ToDictionary() },
            State = info.Status switch
            {
                EmbeddingStatus.Embedded => EmbeddingState.Embedded,
                EmbeddingStatus.Failed => EmbeddingState.Failed,
                _ => EmbeddingState.Pending,
            },
            Dimensions = info.Dimensions,
            Failure = info.Failure ?? "",
            Source = info.Source.ToString(),
        };
        if (embedding is not null) wire.Embedding = new Api.V1.Vector { Values = { embedding } };
        if (request.IncludeThumbnail && info.Thumbnail is { } thumbnail) wire.Thumbnail = ByteString.CopyFrom(thumbnail);
        return wire;
    }

    /// <summary>Why an item cannot be ingested into the collection, or null. The grain checks the dimensions again.</summary>
    private static string? Check(IngestItem item, CollectionInfo collection)
    {
        if (Require.IdProblem(item.Id) is { } idProblem) return $"id: {idProblem}";
        var provider = collection.Provider;
        switch (item.SourceCase)
        {
            case IngestItem.SourceOneofCase.None:
                return "source: one of image, image_url or vector is required";
            case IngestItem.SourceOneofCase.Image:
                if (item.Image.IsEmpty) return "image: empty";
                if (provider == VectorsProvider) return $"image: the collection's provider '{provider}' takes vectors, not images";
                break;
            case IngestItem.SourceOneofCase.ImageUrl:
                if (!Uri.TryCreate(item.ImageUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    return $"image_url: '{item.ImageUrl}' is not an http(s) address";
                if (provider is PixelsProvider or VectorsProvider)
                    return $"image_url: the collection's provider '{provider}' cannot fetch images; send the image bytes, or use a remote provider";
                break;
            case IngestItem.SourceOneofCase.Vector:
                if (provider != VectorsProvider)
                    return $"vector: the collection's provider '{provider}' embeds images; vectors need a collection with provider '{VectorsProvider}'";
                if (Require.VectorProblem(item.Vector.Values, collection.Dimensions) is { } vectorProblem) return $"vector: {vectorProblem}";
                break;
        }
        if (item.Labels.Count > MaxLabels) return $"labels: {item.Labels.Count} labels; at most {MaxLabels}";
        for (var i = 0; i < item.Labels.Count; i++)
        {
            var label = item.Labels[i];
            if (label.Length == 0 || label.Length > MaxLabelLength) return $"labels[{i}]: must have 1 to {MaxLabelLength} characters";
            // Labels are joined with ',' and written into tab-separated files.
            if (label.Contains(',') || label.Any(char.IsControl)) return $"labels[{i}]: '{label}' must not contain ',', tabs or line breaks";
        }
        if (item.Metadata.Count > MaxMetadataEntries) return $"metadata: {item.Metadata.Count} entries; at most {MaxMetadataEntries}";
        foreach (var (key, value) in item.Metadata)
            if (key.Length == 0 || key.Length + value.Length > MaxMetadataLength)
                return $"metadata['{key}']: keys must be non-empty and key plus value at most {MaxMetadataLength} characters";
        return null;
    }

    private const string PixelsProvider = "pixels";

    private const string VectorsProvider = "vectors";

    private static ImageDescription Describe(IngestItem item)
    {
        var source = item.SourceCase switch
        {
            IngestItem.SourceOneofCase.Image => new ImageSource(ImageSourceKind.Inline, Bytes: item.Image.ToByteArray()),
            IngestItem.SourceOneofCase.ImageUrl => new ImageSource(ImageSourceKind.Url, item.ImageUrl),
            _ => new ImageSource(ImageSourceKind.Vector, Bytes: MemoryMarshal.AsBytes(item.Vector.Values.ToArray().AsSpan()).ToArray()),
        };
        return new ImageDescription(item.Id, source, [.. item.Labels], new Dictionary<string, string>(item.Metadata));
    }

    private static async Task<CollectionInfo> RequireCollection(ICollectionGrain collection, string name, string field)
    {
        var info = await collection.GetInfo();
        return info.Exists ? info : throw Problems.NotFound(field, $"collection '{name}' does not exist");
    }

    internal static Collection ToWire(CollectionInfo info) => new()
    {
        Name = info.Name,
        Provider = info.Provider,
        Dimensions = info.Dimensions,
        Size = info.Count,
    };
}
