using Google.Protobuf;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Services;
using Orleans.Embeddings.Gateway.Tests.Support;
using SkiaSharp;
using static Orleans.Embeddings.Gateway.Tests.CollectionsTests;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class IngestTests(HostFixture host)
{
    private Collections.CollectionsClient Collections => host.Clients.Collections;

    [Fact]
    public async Task Each_rejected_item_comes_back_with_a_reason_naming_its_field()
    {
        await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "checked", Provider = "vectors", Dimensions = 4 });
        IngestItem[] items =
        [
            new() { Id = "good", Vector = new Vector { Values = { 1, 2, 3, 4 } }, Labels = { "a" }, Metadata = { ["k"] = "v" } },
            new() { Id = "short", Vector = new Vector { Values = { 1, 2, 3 } } },
            new() { Id = "nan", Vector = new Vector { Values = { 1, float.NaN, 3, 4 } } },
            new() { Vector = new Vector { Values = { 1, 2, 3, 4 } } },
            new() { Id = "nothing" },
            new() { Id = "picture", Image = ByteString.CopyFrom(TestImages.Png(4, 4, SKColors.Red)) },
            new() { Id = "good", Vector = new Vector { Values = { 4, 3, 2, 1 } } },
            new() { Id = "comma", Vector = new Vector { Values = { 1, 2, 3, 4 } }, Labels = { "a,b" } },
            new() { Id = "also-good", Vector = new Vector { Values = { 0, 0, 0, 1 } } },
        ];
        var response = await host.Clients.Ingest("checked", items, batch: items.Length);

        Assert.Equal((9, 2, 2, 0), (response.Received, response.Accepted, response.Added, response.Updated));
        var reasons = response.Rejections.ToDictionary(r => r.Index, r => r.Reason);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], reasons.Keys.Order());
        Assert.StartsWith("vector: 3 values where 4", reasons[1]);
        Assert.StartsWith("vector: value 1 is NaN", reasons[2]);
        Assert.StartsWith("id: required", reasons[3]);
        Assert.StartsWith("source: one of image, image_url or vector", reasons[4]);
        Assert.StartsWith("image: the collection's provider 'vectors' takes vectors", reasons[5]);
        Assert.StartsWith("id: 'good' appears earlier in the same batch", reasons[6]);
        Assert.StartsWith("labels[0]: 'a,b' must not contain ','", reasons[7]);

        var good = await Collections.GetImageAsync(new GetImageRequest { Collection = "checked", Id = "good", IncludeEmbedding = true });
        Assert.Equal([1f, 2f, 3f, 4f], good.Embedding.Values);
        Assert.Equal(["a"], good.Labels);
        Assert.Equal("v", good.Metadata["k"]);
        Assert.Equal((EmbeddingState.Embedded, 4), (good.State, good.Dimensions));

        // A later message with a known id updates that image.
        var update = await host.Clients.Ingest("checked", [new IngestItem { Id = "good", Vector = new Vector { Values = { 5, 5, 5, 5 } } }]);
        Assert.Equal((1, 0, 1), (update.Accepted, update.Added, update.Updated));
        Assert.Equal([5f, 5f, 5f, 5f], (await Collections.GetImageAsync(new GetImageRequest { Collection = "checked", Id = "good", IncludeEmbedding = true })).Embedding.Values);
        Assert.Equal(2, (await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "checked" })).Size);
    }

    [Fact]
    public async Task A_collection_without_fixed_dimensions_takes_them_from_its_first_vector()
    {
        await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "learned", Provider = "vectors" });
        var first = await host.Clients.Ingest("learned", [new IngestItem { Id = "a", Vector = new Vector { Values = { 1, 2, 3 } } }]);
        Assert.Equal(1, first.Accepted);
        Assert.Equal(3, (await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "learned" })).Dimensions);
        var second = await host.Clients.Ingest("learned", [new IngestItem { Id = "b", Vector = new Vector { Values = { 1, 2 } } }]);
        Assert.Equal(0, second.Accepted);
        Assert.StartsWith("vector: 2 values where 3", Assert.Single(second.Rejections).Reason);
    }

    [Fact]
    public async Task Images_are_embedded_by_the_pixels_provider_with_thumbnails_and_failures_are_reported()
    {
        await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "pictures", Provider = "pixels" });
        IngestItem[] items =
        [
            new() { Id = "red.png", Image = ByteString.CopyFrom(TestImages.Png(40, 20, SKColors.Red)), Labels = { "red" } },
            new() { Id = "broken.png", Image = ByteString.CopyFromUtf8("not an image") },
            new() { Id = "remote", ImageUrl = "https://example.org/cat.jpg" },
            new() { Id = "vector", Vector = new Vector { Values = { 1, 2 } } },
        ];
        var response = await host.Clients.Ingest("pictures", items);
        Assert.Equal(2, response.Accepted);
        Assert.StartsWith("image_url: the collection's provider 'pixels' cannot fetch images", response.Rejections.Single(r => r.Id == "remote").Reason);
        Assert.StartsWith("vector: the collection's provider 'pixels' embeds images", response.Rejections.Single(r => r.Id == "vector").Reason);

        var red = await Collections.GetImageAsync(new GetImageRequest { Collection = "pictures", Id = "red.png", IncludeEmbedding = true, IncludeThumbnail = true });
        Assert.Equal(EmbeddingState.Embedded, red.State);
        Assert.Equal(32 * 32 * 3, red.Embedding.Values.Count);
        Assert.Equal(1f, red.Embedding.Values[0], 2);
        Assert.Equal(0f, red.Embedding.Values[1], 2);
        Assert.True(TestImages.IsPng(red.Thumbnail.Span), "The thumbnail is a PNG.");
        var bare = await Collections.GetImageAsync(new GetImageRequest { Collection = "pictures", Id = "red.png" });
        Assert.Null(bare.Embedding);
        Assert.True(bare.Thumbnail.IsEmpty);

        var broken = await Collections.GetImageAsync(new GetImageRequest { Collection = "pictures", Id = "broken.png", IncludeEmbedding = true });
        Assert.Equal(EmbeddingState.Failed, broken.State);
        Assert.Contains("not an image", broken.Failure);
        Assert.Null(broken.Embedding);

        var counts = (await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "pictures" })).Embeddings;
        Assert.Equal((1, 1, 0), (counts.Embedded, counts.Failed, counts.Pending));
        Assert.StartsWith("broken.png: ", Assert.Single(counts.Failures));
    }

    [Fact]
    public async Task A_stream_that_fails_keeps_only_the_messages_applied_before_the_failure()
    {
        await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "interrupted", Provider = "vectors", Dimensions = 2 });
        using var call = Collections.Ingest();
        await call.RequestStream.WriteAsync(new IngestRequest
        {
            Collection = "interrupted",
            Items = { new IngestItem { Id = "kept-1", Vector = new Vector { Values = { 1, 2 } } }, new IngestItem { Id = "kept-2", Vector = new Vector { Values = { 3, 4 } } } },
        });
        var oversized = new IngestRequest
        {
            Items = { new IngestItem { Id = "too-big", Vector = new Vector { Values = { 1, 2 } }, Metadata = { ["padding"] = new string('x', HostFixture.MaxMessageBytes) } } },
        };
        await WriteAll(call, oversized, new IngestRequest { Items = { new IngestItem { Id = "after", Vector = new Vector { Values = { 5, 6 } } } } });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.StartsWith("message: larger than the gateway's limit", error.Status.Detail);
        Assert.Contains("applied 2 items, 2 of them accepted", error.Status.Detail);
        var trailers = call.GetTrailers();
        Assert.Equal("2", trailers.GetValue(CollectionsService.AcceptedTrailer));
        Assert.Equal("2", trailers.GetValue(CollectionsService.ReceivedTrailer));

        var collection = await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "interrupted" });
        Assert.Equal(2, collection.Size);
        await Expect(StatusCode.NotFound, "id", () => Collections.GetImageAsync(new GetImageRequest { Collection = "interrupted", Id = "too-big" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "id", () => Collections.GetImageAsync(new GetImageRequest { Collection = "interrupted", Id = "after" }).ResponseAsync);
    }

    [Fact]
    public async Task Ingest_streams_are_validated()
    {
        await Expect(StatusCode.InvalidArgument, "collection", () => host.Clients.Ingest("", [new IngestItem { Id = "x", Vector = new Vector { Values = { 1 } } }]));
        await Expect(StatusCode.NotFound, "collection", () => host.Clients.Ingest("missing", [new IngestItem { Id = "x", Vector = new Vector { Values = { 1 } } }]));
        await Expect(StatusCode.InvalidArgument, "collection", () => host.Clients.Ingest("missing", []));

        using var call = Collections.Ingest();
        await WriteAll(call, new IngestRequest { Collection = HostFixture.Points }, new IngestRequest { Collection = "another" });
        await Expect(StatusCode.InvalidArgument, "collection", () => call.ResponseAsync);

        var tooMany = Enumerable.Range(0, 4097).Select(i => new IngestItem { Id = $"m{i}", Vector = new Vector { Values = { 1 } } });
        await Expect(StatusCode.InvalidArgument, "items", () => host.Clients.Ingest(HostFixture.Points, tooMany, batch: 4097));
    }

    /// <summary>Writes the messages and closes the stream; the gateway may end the call before the client has finished writing.</summary>
    private static async Task WriteAll(AsyncClientStreamingCall<IngestRequest, IngestResponse> call, params IngestRequest[] messages)
    {
        try
        {
            foreach (var message in messages) await call.RequestStream.WriteAsync(message);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The call's status, read from its response, says why it ended.
        }
    }
}
