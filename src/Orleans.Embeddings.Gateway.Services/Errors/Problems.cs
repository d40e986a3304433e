using Grpc.Core;

namespace Orleans.Embeddings.Gateway.Errors;

/// <summary>The gateway's refusals: a gRPC status whose message starts with the offending field.</summary>
public static class Problems
{
    public static RpcException Invalid(string field, string message) => new(new Status(StatusCode.InvalidArgument, $"{field}: {message}"));

    public static RpcException NotFound(string field, string message) => new(new Status(StatusCode.NotFound, $"{field}: {message}"));

    public static RpcException Precondition(string field, string message) => new(new Status(StatusCode.FailedPrecondition, $"{field}: {message}"));

    public static RpcException Exists(string field, string message) => new(new Status(StatusCode.AlreadyExists, $"{field}: {message}"));
}
