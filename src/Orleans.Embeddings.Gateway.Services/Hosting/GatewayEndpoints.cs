using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Orleans.Embeddings.Gateway.Hosting;

/// <summary>Default HTTP endpoints of a host that serves the gateway, used when the configuration names none.</summary>
public static class GatewayEndpoints
{
    /// <summary>
    /// Listens on localhost:<paramref name="webPort"/> (HTTP/1.1 and HTTP/2: pages, the dashboard, gRPC-Web) and
    /// localhost:<paramref name="grpcPort"/> (HTTP/2 only, so that gRPC clients may use cleartext HTTP/2 with prior
    /// knowledge) unless the standard ASP.NET Core settings choose the endpoints: <c>urls</c> (<c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>), <c>http_ports</c>/<c>https_ports</c> or a <c>Kestrel:Endpoints</c> section.
    /// Endpoints set in code would take precedence over all of those, so they are only set when none is present.
    /// </summary>
    public static WebApplicationBuilder UseDefaultEndpoints(this WebApplicationBuilder builder, int webPort, int grpcPort)
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
            kestrel.ListenLocalhost(webPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.ListenLocalhost(grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }
}
