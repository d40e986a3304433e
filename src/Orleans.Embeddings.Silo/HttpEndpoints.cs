using Microsoft.AspNetCore.Server.Kestrel.Core;

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
    /// Listens on localhost:5000 and localhost:5001 unless the standard ASP.NET Core settings choose the endpoints:
    /// <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>), <c>http_ports</c>/<c>https_ports</c> or a
    /// <c>Kestrel:Endpoints</c> section. Endpoints set in code would take precedence over all of those, so they are
    /// only set when none is present.
    /// </summary>
    public static WebApplicationBuilder UseDefaultEndpoints(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured =
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey]) ||
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey]) ||
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]) ||
            configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (configured) return builder;

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(WebPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.ListenLocalhost(GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }
}
