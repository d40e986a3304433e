using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Embeddings.Gateway.Hosting;
using Orleans.Embeddings.Grains;
using Orleans.Embeddings.Silo.MapPage;

namespace Orleans.Embeddings.Silo;

/// <summary>
/// The host process: an Orleans silo with the embedding grains, the gRPC gateway, the map page at /, the Orleans
/// dashboard at /dashboard, the demo job and the job keeper, in one ASP.NET Core application. Program.cs runs it;
/// the tests start the same host on free ports.
/// </summary>
public static class SiloHost
{
    /// <summary>Where the dashboard is served.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>The configured host, not yet built: appsettings.json, environment variables and <paramref name="args"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // The content root is the application's folder, not the working directory, so that appsettings.json (and
        // later the pages) are found however the host is started, `dotnet run --project` from the repository included.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var configuration = builder.Configuration;

        var cluster = configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        // Relative to the working directory: state must outlive the build output that the content root lives in.
        var dataDirectory = Path.GetFullPath(configuration["Embeddings:DataDirectory"] is { Length: > 0 } directory ? directory : "./data");

        builder.UseDefaultEndpoints();
        builder.UseOrleans(silo =>
        {
            silo.UseEmbeddingsCluster(cluster, dataDirectory);
            silo.AddEmbeddingGrains();
            silo.AddDashboard();
        });

        // Failure detection (probe timeouts, missed probes, votes): Orleans' own options, for operators to tune.
        builder.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(ClusterSettings.MembershipSection));
        builder.Services.AddEmbeddingsGateway(configuration);
        builder.Services.Configure<DemoSettings>(configuration.GetSection(DemoSettings.Section));
        builder.Services.AddHostedService<JobKeeper>();
        builder.Services.AddHostedService<DemoJob>();
        return builder;
    }

    /// <summary>Builds the host and maps its HTTP endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        // The dashboard shows and controls the cluster: when the gateway has API keys, it asks for one too.
        app.MapOrleansDashboard(routePrefix: DashboardPath).RequireGatewayKey(app.Services);
        app.MapEmbeddingsGateway();
        // The map page at / and its JSON endpoints (MapPage/).
        app.MapMapPage();
        return app;
    }

    public static WebApplication Create(string[] args) => Build(CreateBuilder(args));
}
