using Grpc.Core;

namespace Orleans.Embeddings.Silo.MapPage;

/// <summary>
/// The call context of a gateway service method invoked in the host's own process, so that the page's JSON
/// endpoints answer exactly what the gRPC API answers (its checks, its errors, its search) without a network hop.
/// </summary>
internal sealed class InProcessCallContext(string method, CancellationToken cancellation) : ServerCallContext
{
    protected override string MethodCore => method;

    protected override string HostCore => "localhost";

    protected override string PeerCore => "in-process";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Grpc.Core.Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => cancellation;

    protected override Grpc.Core.Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("An in-process call does not propagate to other calls.");

    protected override Task WriteResponseHeadersAsyncCore(Grpc.Core.Metadata responseHeaders) => Task.CompletedTask;
}
