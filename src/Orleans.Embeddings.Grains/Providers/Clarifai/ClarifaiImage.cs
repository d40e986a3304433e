using System.Security.Cryptography;
using System.Text;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// What Clarifai is sent for one image: an address it downloads itself, or the encoded bytes (sent as base64).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClarifaiImage([property: Id(0)] string? Url, [property: Id(1)] byte[]? Bytes)
{
    public static ClarifaiImage FromUrl(string url) => new(url, null);

    public static ClarifaiImage FromBytes(byte[] bytes) => new(null, bytes);

    /// <summary>About what the image adds to a request body: the address, or the bytes as base64.</summary>
    public long RequestBytes => Url is not null ? Url.Length : (Bytes!.LongLength + 2) / 3 * 4;

    public ClarifaiInputData ToInputData() => new(new ClarifaiImageData(Url, Url is null ? Bytes : null));

    /// <summary>
    /// The key of this content's embedding under one model: the SHA-256 of the address or of the bytes, so the same
    /// image under another id, from a file or uploaded, maps to the same key and is paid for once.
    /// </summary>
    public string ContentKey(string modelKey)
    {
        var hash = Url is not null ? SHA256.HashData(Encoding.UTF8.GetBytes(Url)) : SHA256.HashData(Bytes!);
        return $"{modelKey}/{(Url is not null ? "url" : "bytes")}-{Convert.ToHexStringLower(hash)}";
    }

    public override string ToString() => Url ?? $"{Bytes!.Length} bytes";
}
