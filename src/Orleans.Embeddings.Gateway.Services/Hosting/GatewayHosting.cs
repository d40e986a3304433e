using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Gateway.Errors;
using Orleans.Embeddings.Gateway.Health;
using Orleans.Embeddings.Gateway.Security;
using Orleans.Embeddings.Gateway.Services;

namespace Orleans.Embeddings.Gateway.Hosting;

/// <summary>
/// Registers and maps the gateway in an ASP.NET Core application that has an <see cref="IGrainFactory"/>: the silo
/// host (its silo) or the standalone gateway (an Orleans client). Both serve the same API.
/// </summary>
public static class GatewayHosting
{
    /// <summary>The gRPC services of the API, by their full names (for health checks per service).</summary>
    public static IReadOnlyList<string> ServiceNames { get; } =
    [
        Api.V1.Collections.Descriptor.FullName,
        Api.V1.Jobs.Descriptor.FullName,
        Api.V1.Neighbors.Descriptor.FullName,
        Api.V1.Export.Descriptor.FullName,
    ];

    /// <summary>
    /// The gRPC services, server reflection, gRPC-Web, grpc.health.v1 backed by <see cref="ClusterHealthCheck"/>,
    /// and API-key authentication when <see cref="GatewaySettings.ApiKeys"/> has any.
    /// </summary>
    public static IServiceCollection AddEmbeddingsGateway(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(GatewaySettings.Section);
        var settings = section.Get<GatewaySettings>() ?? new GatewaySettings();
        services.AddOptions<GatewaySettings>().Bind(section).ValidateSettings(GatewaySettings.Section, options => options.Problems());
        services.TryAddSingleton(TimeProvider.System);

        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = settings.MaxMessageBytes;
            options.Interceptors.Add<GrainErrorInterceptor>();
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(options =>
        {
            foreach (var name in ServiceNames) options.Services.Map(name, _ => true);
        }).AddCheck<ClusterHealthCheck>(ClusterHealthCheck.Name);
        // Watch streams follow the health check publisher: publish soon after start and often.
        services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Delay = TimeSpan.FromSeconds(1);
            options.Period = TimeSpan.FromSeconds(5);
        });

        if (settings.AuthenticationEnabled)
        {
            services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
            services.AddAuthorization(options => options.AddPolicy(ApiKeyAuthenticationHandler.Policy, policy =>
                policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser()));
        }
        return services;
    }

    /// <summary>
    /// Maps the services on every endpoint: native gRPC over HTTP/2, and gRPC-Web (HTTP/1.1 too) for browsers.
    /// Health checking stays open when keys are configured, for load balancers and orchestrators.
    /// </summary>
    public static WebApplication MapEmbeddingsGateway(this WebApplication app)
    {
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        if (IsSecured(app.Services))
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        app.MapGrpcService<CollectionsService>().RequireGatewayKey(app.Services);
        app.MapGrpcService<JobsService>().RequireGatewayKey(app.Services);
        app.MapGrpcService<NeighborsService>().RequireGatewayKey(app.Services);
        app.MapGrpcService<ExportService>().RequireGatewayKey(app.Services);
        app.MapGrpcReflectionService().RequireGatewayKey(app.Services);
        app.MapGrpcHealthChecksService();
        return app;
    }

    /// <summary>Requires an API key on the endpoints when the gateway has keys configured (the dashboard uses it too).</summary>
    public static TBuilder RequireGatewayKey<TBuilder>(this TBuilder endpoints, IServiceProvider services) where TBuilder : IEndpointConventionBuilder =>
        IsSecured(services) ? endpoints.RequireAuthorization(ApiKeyAuthenticationHandler.Policy) : endpoints;

    private static bool IsSecured(IServiceProvider services) => services.GetRequiredService<IOptions<GatewaySettings>>().Value.AuthenticationEnabled;
}
