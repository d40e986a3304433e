using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli;

/// <summary>The clients of the gateway's services over one channel, with the API key on every call.</summary>
public sealed class GatewayClient : IDisposable
{
    private readonly GrpcChannel channel;

    public GatewayClient(string address, string? apiKey)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--address: '{address}' is not an http(s) address such as {GlobalOptions.DefaultAddress}");
        Address = uri;
        channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var invoker = string.IsNullOrEmpty(apiKey)
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("x-api-key", apiKey);
                return metadata;
            });
        Collections = new Collections.CollectionsClient(invoker);
        Jobs = new Jobs.JobsClient(invoker);
        Neighbors = new Neighbors.NeighborsClient(invoker);
        Export = new Export.ExportClient(invoker);
        Health = new Health.HealthClient(invoker);
    }

    public Uri Address { get; }

    public Collections.CollectionsClient Collections { get; }

    public Jobs.JobsClient Jobs { get; }

    public Neighbors.NeighborsClient Neighbors { get; }

    public Export.ExportClient Export { get; }

    public Health.HealthClient Health { get; }

    /// <summary>The collection, or null if the gateway says it does not exist.</summary>
    public async Task<Collection?> FindCollection(string name, CancellationToken cancellation)
    {
        try
        {
            return await Collections.GetCollectionAsync(new GetCollectionRequest { Name = name }, cancellationToken: cancellation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    public void Dispose() => channel.Dispose();
}
