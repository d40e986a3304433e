using Orleans.Embeddings.Gateway.Hosting;

namespace Orleans.Embeddings.Silo;

/// <summary>The host's default HTTP endpoints, used when the configuration names none.</summary>
public static class HttpEndpoints
{
    /// <summary>Pages, the dashboard and gRPC-Web. Cleartext HTTP/2 needs prior knowledge, which browsers lack, so
    /// in practice this port speaks HTTP/1.1 to them.</summary>
    public const int WebPort = 5000;

    /// <summary>Native gRPC: HTTP/2 only, so that clients may use cleartext HTTP/2 with prior knowledge.</summary>
    public const int GrpcPort = 5001;

    /// <summary>
    /// Listens on localhost:5000 and localhost:5001 unless the standard ASP.NET Core settings choose the endpoints
    /// (<see cref="GatewayEndpoints.UseDefaultEndpoints"/>).
    /// </summary>
    public static WebApplicationBuilder UseDefaultEndpoints(this WebApplicationBuilder builder) =>
        builder.UseDefaultEndpoints(WebPort, GrpcPort);
}
