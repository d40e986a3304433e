using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Orleans.Embeddings.Gateway.Errors;

/// <summary>
/// Turns what the grains throw into gRPC statuses, so that a caller gets a code and a one-line message, never a
/// stack trace: a bad argument is INVALID_ARGUMENT, a missing collection, image or job NOT_FOUND, a request that
/// does not fit the current state FAILED_PRECONDITION, and a cluster that cannot be reached UNAVAILABLE.
/// </summary>
public sealed partial class GrainErrorInterceptor(ILogger<GrainErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e, context);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        var (code, message) = Classify(exception, context);
        if (code == StatusCode.Internal)
            logger.LogError(exception, "{Method} failed", context.Method);
        else
            logger.LogDebug("{Method}: {Code} {Message}", context.Method, code, message);
        return new RpcException(new Status(code, message));
    }

    /// <summary>The status for an exception; grain exceptions arrive as their own types, with their messages.</summary>
    public static (StatusCode Code, string Message) Classify(Exception exception, ServerCallContext? context = null)
    {
        var message = OneLine(exception.Message);
        return exception switch
        {
            OperationCanceledException when context?.CancellationToken.IsCancellationRequested == true => (StatusCode.Cancelled, "The call was cancelled."),
            KeyNotFoundException => (StatusCode.NotFound, message),
            ArgumentException => (StatusCode.InvalidArgument, message),
            InvalidOperationException => (StatusCode.FailedPrecondition, message),
            SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException
                => (StatusCode.Unavailable, $"The cluster could not answer: {message}"),
            OrleansException when message.Contains("not connected", StringComparison.OrdinalIgnoreCase) || message.Contains("gateway", StringComparison.OrdinalIgnoreCase)
                => (StatusCode.Unavailable, $"The cluster could not answer: {message}"),
            _ => (StatusCode.Internal, $"{exception.GetType().Name}: {message}"),
        };
    }

    private static string OneLine(string text)
    {
        // An ArgumentException's message ends with " (Parameter 'name')"; the gateway's messages name the field first.
        var line = ParameterSuffix().Replace(text.ReplaceLineEndings(" ").Trim(), "");
        return line.Length <= 1000 ? line : line[..1000] + "...";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" \(Parameter '[^']*'\)$")]
    private static partial System.Text.RegularExpressions.Regex ParameterSuffix();
}
