using System.Security.Cryptography;

namespace Orleans.Embeddings.Silo.MapPage;

/// <summary>
/// The map page's files (Web/ in the source), embedded in the host's assembly so that the page is served however
/// the host is started, whatever its content root: no file next to the binary, no CDN.
/// </summary>
public sealed class MapPageAssets
{
    private const string Prefix = "web/";

    private readonly Dictionary<string, Asset> assets;

    private MapPageAssets(Dictionary<string, Asset> assets) => this.assets = assets;

    /// <summary>A file's bytes, content type and entity tag (a hash of the bytes).</summary>
    public sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    public IReadOnlyCollection<string> Names => assets.Keys;

    public static MapPageAssets Load()
    {
        var assembly = typeof(MapPageAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[Prefix.Length..];
            assets[name] = new Asset(bytes, ContentType(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets.Count > 0 ? new MapPageAssets(assets) : throw new InvalidOperationException($"{assembly.GetName().Name} carries no page files.");
    }

    public Asset? Find(string name) => assets.GetValueOrDefault(name);

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
