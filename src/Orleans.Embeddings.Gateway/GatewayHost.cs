using Orleans.Dashboard;
using Orleans.Embeddings.Gateway.Hosting;

namespace Orleans.Embeddings.Gateway;

/// <summary>
/// The standalone gateway: an ASP.NET Core application that joins the cluster as an Orleans client and serves the
/// gRPC API and the Orleans dashboard at /dashboard, so that operators reach both through the gateways rather than
/// through a silo. Program.cs runs it; the tests start the same host.
/// </summary>
public static class GatewayHost
{
    /// <summary>gRPC-Web and HTTP/1.1 (the silo host uses 5000 and 5001, so both fit on one machine).</summary>
    public const int WebPort = 5010;

    /// <summary>Native gRPC, HTTP/2 only.</summary>
    public const int GrpcPort = 5011;

    /// <summary>Where the dashboard is served, as by the silo host.</summary>
    public const string DashboardPath = "/dashboard";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var cluster = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        builder.UseDefaultEndpoints(WebPort, GrpcPort);
        // The client keeps retrying until the cluster answers; the HTTP endpoints start meanwhile, so that health
        // checks can say NOT_SERVING rather than find nothing listening.
        builder.Services.Configure<HostOptions>(options => options.ServicesStartConcurrently = true);
        builder.UseOrleansClient(client =>
        {
            client.UseEmbeddingsCluster(cluster);
            client.AddDashboard();
        });
        builder.Services.AddEmbeddingsGateway(builder.Configuration);
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapEmbeddingsGateway();
        // As on the silo host: when the gateway has API keys, the dashboard asks for one too.
        app.MapOrleansDashboard(routePrefix: DashboardPath).RequireGatewayKey(app.Services);
        return app;
    }

    public static WebApplication Create(string[] args) => Build(CreateBuilder(args));
}
