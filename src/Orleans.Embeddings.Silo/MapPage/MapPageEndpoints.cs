using Microsoft.Net.Http.Headers;
using Orleans.Embeddings.Gateway.Hosting;

namespace Orleans.Embeddings.Silo.MapPage;

/// <summary>
/// The map page at <c>/</c>, its files under <c>/map/</c> and its API under <see cref="MapApi.Prefix"/>. When the
/// gateway has API keys, all of them need one, as the dashboard does: a browser asks for it once (HTTP Basic, the
/// key as the password) and sends it with the page's own requests.
/// </summary>
public static class MapPageEndpoints
{
    public const string AssetsPath = "/map";

    public static WebApplication MapMapPage(this WebApplication app)
    {
        var assets = MapPageAssets.Load();
        app.MapGet("/", (HttpContext http) => Serve(http, assets, "index.html")).RequireGatewayKey(app.Services);
        app.MapGet(AssetsPath + "/{file}", (HttpContext http, string file) => Serve(http, assets, file)).RequireGatewayKey(app.Services);
        app.MapMapApi().RequireGatewayKey(app.Services);
        return app;
    }

    private static IResult Serve(HttpContext http, MapPageAssets assets, string name)
    {
        if (assets.Find(name) is not { } asset) return Results.NotFound();
        // Revalidated on every load (a 304 when unchanged), so that a new build's page is never mixed with old scripts.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.Any(tag => tag == asset.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
