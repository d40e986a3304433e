using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using Orleans.Embeddings.Gateway.Hosting;
using Orleans.Embeddings.Gateway.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class HealthAndReflectionTests(HostFixture host)
{
    [Fact]
    public async Task Health_is_serving_for_the_server_and_for_each_service()
    {
        Assert.Equal(ServingStatus.Serving, await host.Clients.WaitForHealth(s => s == ServingStatus.Serving, TimeSpan.FromSeconds(30)));
        foreach (var service in GatewayHosting.ServiceNames)
            Assert.Equal(ServingStatus.Serving, (await host.Clients.Health.CheckAsync(new HealthCheckRequest { Service = service })).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Clients.Health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Reflection_lists_every_service_and_describes_their_files()
    {
        var client = new ServerReflection.ServerReflectionClient(host.Clients.Channel);
        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "orleans.embeddings.v1.Neighbors" });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        foreach (var service in GatewayHosting.ServiceNames) Assert.Contains(service, names);
        Assert.Contains("grpc.health.v1.Health", names);

        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes)).ToArray();
        var neighbors = Assert.Single(files, f => f.Name == "orleans/embeddings/v1/neighbors.proto");
        Assert.Equal("orleans.embeddings.v1", neighbors.Package);
        Assert.Contains(neighbors.Service, s => s.Name == "Neighbors" && s.Method.Any(m => m.Name == "SearchBatch"));
    }
}
