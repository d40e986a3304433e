using System.Net;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class GrpcWebTests(HostFixture host)
{
    [Theory]
    [InlineData(GrpcWebMode.GrpcWeb)]
    [InlineData(GrpcWebMode.GrpcWebText)]
    public async Task The_services_answer_grpc_web_over_http1_as_a_browser_would_call_them(GrpcWebMode mode)
    {
        using var channel = GrpcChannel.ForAddress(host.WebAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(mode, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        var collections = await new Collections.CollectionsClient(channel).ListCollectionsAsync(new ListCollectionsRequest());
        Assert.Contains(collections.Collections, c => c.Name == HostFixture.Points && c.Size == HostFixture.PointCount);
        var neighbors = await new Neighbors.NeighborsClient(channel).SearchAsync(new SearchRequest
        {
            Collection = HostFixture.Points, K = 2, Query = new NeighborQuery { Id = TestVectors.Id(5) },
        });
        Assert.Equal(2, neighbors.Neighbors.Count);
    }
}
