using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class CollectionsTests(HostFixture host)
{
    private Collections.CollectionsClient Collections => host.Clients.Collections;

    [Fact]
    public async Task A_collection_is_created_read_listed_and_deleted_with_its_images()
    {
        var created = await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "lifecycle", Provider = "vectors", Dimensions = 4 });
        Assert.Equal(("lifecycle", "vectors", 4, 0), (created.Name, created.Provider, created.Dimensions, created.Size));
        // Creating it again with the same settings is allowed and changes nothing.
        Assert.Equal(created, await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "lifecycle", Provider = "vectors", Dimensions = 4 }));

        var items = Enumerable.Range(0, 3).Select(i => new IngestItem { Id = $"v{i}", Vector = new Vector { Values = { i, i, i, i } }, Labels = { "x" } });
        Assert.Equal(3, (await host.Clients.Ingest("lifecycle", items)).Added);

        var read = await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "lifecycle" });
        Assert.Equal((3, 0, 0, 3), (read.Size, read.Embeddings.Embedded, read.Embeddings.Failed, read.Embeddings.Pending));
        // Reading an embedding embeds the image; the counts follow.
        Assert.Equal([1f, 1f, 1f, 1f], (await Collections.GetImageAsync(new GetImageRequest { Collection = "lifecycle", Id = "v1", IncludeEmbedding = true })).Embedding.Values);
        read = await Collections.GetCollectionAsync(new GetCollectionRequest { Name = "lifecycle" });
        Assert.Equal((1, 2), (read.Embeddings.Embedded, read.Embeddings.Pending));

        var listed = await Collections.ListCollectionsAsync(new ListCollectionsRequest());
        Assert.Contains(listed.Collections, c => c.Name == "lifecycle" && c.Size == 3 && c.Embeddings is null);
        Assert.Contains(listed.Collections, c => c.Name == HostFixture.Points && c.Size == HostFixture.PointCount);

        Assert.Equal(3, (await Collections.DeleteCollectionAsync(new DeleteCollectionRequest { Name = "lifecycle" })).DeletedImages);
        await Expect(StatusCode.NotFound, "name", () => Collections.GetCollectionAsync(new GetCollectionRequest { Name = "lifecycle" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "collection", () => Collections.GetImageAsync(new GetImageRequest { Collection = "lifecycle", Id = "v1" }).ResponseAsync);
        Assert.DoesNotContain((await Collections.ListCollectionsAsync(new ListCollectionsRequest())).Collections, c => c.Name == "lifecycle");

        // A new collection of the same name starts empty: the old images went with the old collection.
        await Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "lifecycle", Provider = "vectors" });
        var again = await host.Clients.Ingest("lifecycle", [new IngestItem { Id = "v1", Vector = new Vector { Values = { 9, 9 } } }]);
        Assert.Equal((1, 0), (again.Added, again.Updated));
        var image = await Collections.GetImageAsync(new GetImageRequest { Collection = "lifecycle", Id = "v1" });
        Assert.Empty(image.Labels);
        Assert.Equal(EmbeddingState.Pending, image.State);
        await Collections.DeleteCollectionAsync(new DeleteCollectionRequest { Name = "lifecycle" });
    }

    [Fact]
    public async Task Collection_requests_are_validated_naming_the_field()
    {
        await Expect(StatusCode.InvalidArgument, "name", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Provider = "vectors" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "name", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "a/b", Provider = "vectors" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "name", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = new string('n', 101), Provider = "vectors" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "provider", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "p" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "provider", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "p", Provider = "no-such-provider" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "dimensions", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "p", Provider = "vectors", Dimensions = -1 }).ResponseAsync);
        await Expect(StatusCode.AlreadyExists, "name", () => Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = HostFixture.Points, Provider = "pixels" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "name", () => Collections.GetCollectionAsync(new GetCollectionRequest { Name = "missing" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "name", () => Collections.DeleteCollectionAsync(new DeleteCollectionRequest { Name = "missing" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "collection", () => Collections.GetImageAsync(new GetImageRequest { Collection = "missing", Id = "x" }).ResponseAsync);
        await Expect(StatusCode.NotFound, "id", () => Collections.GetImageAsync(new GetImageRequest { Collection = HostFixture.Points, Id = "missing" }).ResponseAsync);
        await Expect(StatusCode.InvalidArgument, "id", () => Collections.GetImageAsync(new GetImageRequest { Collection = HostFixture.Points }).ResponseAsync);
    }

    public static async Task<RpcException> Expect(StatusCode code, string field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
        return error;
    }
}
